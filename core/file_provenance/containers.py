"""Provenance into video and mesh files: MP4 container metadata (remuxed
with ffmpeg ``-c copy``: the frames are not re-encoded), glTF
``asset.extras``, a PLY header comment."""

import json
import os
import struct
import subprocess
import tempfile

REMUX_TIMEOUT_S = 120


def ffmpeg_exe():
    """The ffmpeg imageio-ffmpeg ships (no system install needed)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def embed_mp4(data, **tags):
    """``tags`` (``comment``, ``description``...) as the MP4's container
    metadata; streams are copied as they are, and the index moves to the
    front (``faststart``) so the App can play it while it loads."""
    with tempfile.TemporaryDirectory(prefix="multigen-mp4-") as folder:
        source, target = os.path.join(folder, "in.mp4"), os.path.join(folder, "out.mp4")
        with open(source, "wb") as f:
            f.write(data)
        command = [ffmpeg_exe(), "-v", "error", "-y", "-i", source, "-map", "0",
                   "-c", "copy", "-map_metadata", "0"]
        for name, value in tags.items():
            command += ["-metadata", f"{name}={value}"]
        command += ["-movflags", "+faststart", target]
        done = subprocess.run(command, capture_output=True, timeout=REMUX_TIMEOUT_S)
        if done.returncode != 0:
            raise ValueError(f"ffmpeg could not rewrite the video: "
                             f"{done.stderr.decode(errors='replace').strip()[-300:]}")
        with open(target, "rb") as f:
            return f.read()


def embed_gltf(data, extras, binary=True):
    """``extras`` merged into the glTF's ``asset.extras`` (GLB: its JSON
    chunk is rewritten, the binary chunk kept byte for byte)."""
    if not binary:
        document = json.loads(data)
        _add_extras(document, extras)
        return json.dumps(document, separators=(",", ":")).encode("utf-8")
    magic, version, _ = struct.unpack("<4sII", data[:12])
    json_length, kind = struct.unpack("<I4s", data[12:20])
    if magic != b"glTF" or kind != b"JSON":
        raise ValueError("not a GLB file")
    document = json.loads(data[20:20 + json_length])
    _add_extras(document, extras)
    text = json.dumps(document, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 4)  # chunks are 4-byte aligned, JSON padded with spaces
    rest = data[20 + json_length:]
    total = 12 + 8 + len(text) + len(rest)
    return (struct.pack("<4sII", magic, version, total)
            + struct.pack("<I4s", len(text), b"JSON") + text + rest)


def _add_extras(document, extras):
    asset = document.setdefault("asset", {"version": "2.0"})
    current = asset.get("extras")
    asset["extras"] = {**(current if isinstance(current, dict) else
                          {} if current is None else {"previous": current}), **extras}


def embed_ply(data, line):
    """``line`` (ASCII, no line break) as a ``comment`` line of the PLY
    header, after its ``format`` line."""
    if not data.startswith(b"ply"):
        raise ValueError("not a PLY file")
    end = data.find(b"end_header")
    start = data.find(b"\nformat", 0, end)
    if end < 0 or start < 0:
        raise ValueError("not a PLY header")
    newline = data.find(b"\n", start + 1)
    ending = b"\r\n" if data[newline - 1:newline] == b"\r" else b"\n"
    comment = b"comment " + line.replace("\n", " ").encode("ascii") + ending
    return data[:newline + 1] + comment + data[newline + 1:]
