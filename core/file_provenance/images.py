"""Provenance into image files, edited in place (the pixels are never
re-encoded): PNG text chunks; EXIF ``UserComment`` and XMP for JPEG and
WebP; a GIF comment. An earlier value under the same name is replaced; other
metadata (a provider's EXIF, its XMP, C2PA manifests) is kept."""

import io
import struct
import zlib
from xml.sax.saxutils import escape

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_NAMESPACE = "https://github.com/multigen/generate/ns/1.0/"
DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
_XMP_JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_EXIF_HEADER = b"Exif\x00\x00"
_EXIF_IFD, _USER_COMMENT = 0x8769, 0x9286
_APP_SEGMENT_MAX = 65533  # a JPEG segment's payload, length bytes excluded


def size(data):
    """(width, height) of an encoded image, read from its header."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


# PNG ---------------------------------------------------------------------------

def png_size(data):
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def embed_png(data, texts):
    """``texts`` ({keyword: text}) as text chunks right after ``IHDR``
    (readers find them before the pixels): ``tEXt`` when the text is
    Latin-1, else ``iTXt`` (UTF-8), as Pillow and A1111 write them."""
    png_size(data)
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG file")
        kind = data[pos + 4:pos + 8]
        if not (kind in (b"tEXt", b"iTXt", b"zTXt")
                and data[pos + 8:end - 4].split(b"\x00", 1)[0].decode("latin-1") in texts):
            chunks.append(data[pos:end])
        pos = end
    ours = [_png_text_chunk(key, text) for key, text in texts.items()]
    return PNG_SIGNATURE + chunks[0] + b"".join(ours) + b"".join(chunks[1:])


def _png_text_chunk(keyword, text):
    key = keyword.encode("latin-1")
    try:
        kind, body = b"tEXt", key + b"\x00" + text.encode("latin-1")
    except UnicodeEncodeError:
        kind, body = b"iTXt", key + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


# EXIF and XMP ------------------------------------------------------------------

def exif_with_comment(existing, text):
    """EXIF (``Exif\\0\\0`` + TIFF) holding ``text`` as ``UserComment``, as
    A1111 writes it (``UNICODE`` + UTF-16BE; ``ASCII`` when it is), on top
    of ``existing`` EXIF when there is some."""
    from PIL import Image

    exif = Image.Exif()
    if existing:
        exif.load(existing if existing.startswith(_EXIF_HEADER) else _EXIF_HEADER + existing)
    try:
        comment = b"ASCII\x00\x00\x00" + text.encode("ascii")
    except UnicodeEncodeError:
        comment = b"UNICODE\x00" + text.encode("utf-16-be")
    exif.get_ifd(_EXIF_IFD)[_USER_COMMENT] = comment
    data = exif.tobytes()
    return data if data.startswith(_EXIF_HEADER) else _EXIF_HEADER + data


def xmp_packet(values, existing=None):
    """An XMP packet with ``values`` as ``multigen:<name>`` properties; added
    as one more description to an ``existing`` packet."""
    properties = "".join(f"<multigen:{name}>{escape(text)}</multigen:{name}>"
                         for name, text in values.items())
    description = (
        f'<rdf:Description rdf:about="" xmlns:multigen="{XMP_NAMESPACE}" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
        f"<Iptc4xmpExt:DigitalSourceType>{DIGITAL_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>"
        f"{properties}</rdf:Description>")
    if existing:
        text = existing.decode("utf-8", "replace")
        if "</rdf:RDF>" in text and XMP_NAMESPACE not in text:
            return text.replace("</rdf:RDF>", description + "</rdf:RDF>", 1).encode("utf-8")
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f"{description}</rdf:RDF></x:xmpmeta>"
            '<?xpacket end="w"?>').encode("utf-8")


# JPEG --------------------------------------------------------------------------

def embed_jpeg(data, texts, comment_key):
    """``texts`` ({name: text}) in XMP and ``texts[comment_key]`` as EXIF
    ``UserComment``, as APP1 segments after SOI (and JFIF's APP0); the
    provider's EXIF tags are kept, its XMP gets ours added."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file")
    head, segments, pos = [], [], 2
    exif = old_xmp = None
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or 0xD0 <= marker <= 0xD9:  # scan: the rest is image data
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment, payload = data[pos:pos + 2 + length], data[pos + 4:pos + 2 + length]
        pos += 2 + length
        if marker == 0xE1 and payload.startswith(_EXIF_HEADER):
            exif = payload
        elif marker == 0xE1 and payload.startswith(_XMP_JPEG_HEADER):
            old_xmp = payload[len(_XMP_JPEG_HEADER):]
        elif marker == 0xE0 and not segments:
            head.append(segment)  # JFIF stays first
        else:
            segments.append(segment)
    ours = [_app1(exif_with_comment(exif, texts[comment_key])),
            _app1(_XMP_JPEG_HEADER + xmp_packet(texts, old_xmp))]
    return b"\xff\xd8" + b"".join(head + ours + segments) + data[pos:]


def _app1(payload):
    if len(payload) + 2 > _APP_SEGMENT_MAX:
        raise ValueError(f"{len(payload)} bytes of metadata do not fit a JPEG segment")
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# WebP --------------------------------------------------------------------------

_VP8X_EXIF, _VP8X_XMP, _VP8X_ALPHA = 0x08, 0x04, 0x10


def embed_webp(data, texts, comment_key):
    """As :func:`embed_jpeg`: EXIF and XMP chunks at the end of the RIFF
    file, with the extended ``VP8X`` header that announces them (made from
    the bitstream's size when the file is a simple one)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP file")
    chunks, pos, exif, old_xmp = [], 12, None, None
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        payload = data[pos + 8:pos + 8 + length]
        pos += 8 + length + (length & 1)
        if kind == b"EXIF":
            exif = payload
        elif kind == b"XMP ":
            old_xmp = payload
        else:
            chunks.append((kind, payload))
    if not chunks:
        raise ValueError("empty WebP file")
    if chunks[0][0] == b"VP8X":
        header = bytearray(chunks[0][1])
        chunks = chunks[1:]
    else:
        header = _vp8x_for(*chunks[0])
    header[0] |= _VP8X_EXIF | _VP8X_XMP
    exif_data = exif_with_comment(exif, texts[comment_key])[len(_EXIF_HEADER):]  # TIFF only
    chunks = [(b"VP8X", bytes(header)), *chunks, (b"EXIF", exif_data),
              (b"XMP ", xmp_packet(texts, old_xmp))]
    body = b"WEBP" + b"".join(_riff_chunk(kind, payload) for kind, payload in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _vp8x_for(kind, payload):
    if kind == b"VP8L" and payload[:1] == b"\x2f":
        (bits,) = struct.unpack("<I", payload[1:5])
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        flags = _VP8X_ALPHA if (bits >> 28) & 1 else 0
    elif kind == b"VP8 " and payload[3:6] == b"\x9d\x01\x2a":
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", payload[6:10]))
        flags = 0
    else:
        raise ValueError(f"unexpected WebP chunk {kind!r}")
    return bytearray(bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little")
                     + (height - 1).to_bytes(3, "little"))


def _riff_chunk(kind, payload):
    return kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")


# GIF ---------------------------------------------------------------------------

def embed_gif(data, text):
    """``text`` (ASCII) as a comment extension before the first image."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("not a GIF file")
    flags, pos = data[10], 13
    if flags & 0x80:  # global colour table
        pos += 3 * (2 << (flags & 7))
    raw = text.encode("ascii")
    blocks = b"".join(bytes([len(raw[i:i + 255])]) + raw[i:i + 255]
                      for i in range(0, len(raw), 255))
    return b"GIF89a" + data[6:pos] + b"\x21\xfe" + blocks + b"\x00" + data[pos:]
