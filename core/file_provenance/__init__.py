"""Provenance inside the files: the ``generation`` record travels with each
file when it leaves FiftyOne (exports, shares, other tools).

Every format gets the A1111 ``parameters`` text (prompt, negative prompt,
then "Steps: ..., Sampler: ..., CFG scale: ..., Seed: ..., Size: ...,
Model: ...", the form A1111 and Civitai read) and the full record as JSON:

- PNG: ``tEXt``/``iTXt`` chunks ``parameters`` and ``generation``
- JPEG, WebP: EXIF ``UserComment`` (the parameters, as A1111 writes it) and
  an XMP packet (``multigen:parameters``, ``multigen:generation`` and IPTC's
  ``DigitalSourceType`` "trainedAlgorithmicMedia")
- MP4: container metadata ``comment`` (the record) and ``description``
  (the parameters)
- GLB / glTF: ``asset.extras.generation`` and ``asset.extras.parameters``
- PLY: a ``comment generation {...}`` header line; GIF: a comment block

Files are edited where they are, never re-encoded (no pixel changes; MP4 is
remuxed with ``-c copy``). The record never holds an API key: keys never
reach it.
"""

import json
from datetime import date, datetime

from . import a1111, containers, images

RECORD_KEY = "generation"  # the JSON record's name in every format
PARAMETERS_KEY = "parameters"  # A1111's


def record_json(fields, ascii_only=False):
    """The record as compact JSON (dates as ISO 8601)."""
    return json.dumps(fields, default=_plain, ensure_ascii=ascii_only, separators=(",", ":"))


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def embed(data, ext, fields):
    """``data`` (a file of type ``ext``) with ``fields`` inside; formats with
    no room for it come back unchanged. Raises ``ValueError`` for a file that
    is not what its extension says."""
    ext = ext.lower().lstrip(".")
    if ext == "png":
        text = a1111.parameters(fields, images.png_size(data))
        return images.embed_png(data, {PARAMETERS_KEY: text, RECORD_KEY: record_json(fields)})
    if ext in ("jpg", "jpeg", "webp"):
        texts = {PARAMETERS_KEY: a1111.parameters(fields, images.size(data)),
                 RECORD_KEY: record_json(fields)}
        embed_into = images.embed_webp if ext == "webp" else images.embed_jpeg
        return embed_into(data, texts, PARAMETERS_KEY)
    if ext == "gif":
        return images.embed_gif(data, record_json(fields, ascii_only=True))
    if ext == "mp4":
        return containers.embed_mp4(data, comment=record_json(fields),
                                    description=a1111.parameters(fields))
    if ext in ("glb", "gltf"):
        extras = {RECORD_KEY: json.loads(record_json(fields)),
                  PARAMETERS_KEY: a1111.parameters(fields)}
        return containers.embed_gltf(data, extras, binary=ext == "glb")
    if ext == "ply":
        return containers.embed_ply(data, f"{RECORD_KEY} {record_json(fields, ascii_only=True)}")
    return data
