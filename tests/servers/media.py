"""Tiny, valid media files for the provider emulators and for tests.

* ``image_bytes``: PNG / JPEG / WEBP of an exact size (Pillow).
* ``video_bytes``: an H.264 MP4 with exactly N frames at F fps
  (imageio + the ffmpeg binary bundled with imageio-ffmpeg).
* ``glb_bytes``: a binary glTF cube with per-vertex colours (trimesh).
* ``image_info`` / ``video_info`` / ``glb_info``: read them back, for asserts.

Results are cached, so repeated calls cost nothing.
"""

from __future__ import annotations

import io
import os
import tempfile
from functools import lru_cache

__all__ = [
    "IMAGE_MIME",
    "glb_bytes",
    "glb_info",
    "image_bytes",
    "image_info",
    "mime_for",
    "normalize_image_format",
    "video_bytes",
    "video_info",
]

#: extension -> MIME type for everything the emulators serve
IMAGE_MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "glb": "model/gltf-binary",
}


def mime_for(ext: str) -> str:
    return IMAGE_MIME.get(ext.lower().lstrip("."), "application/octet-stream")


def normalize_image_format(fmt: str | None, default: str = "png") -> str:
    """'jpg'/'JPEG' -> 'jpeg', None -> default; returns png, jpeg or webp."""
    fmt = (fmt or default).lower().lstrip(".")
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in ("png", "jpeg", "webp"):
        raise ValueError(f"unsupported image format {fmt!r}")
    return fmt


@lru_cache(maxsize=256)
def image_bytes(
    width: int,
    height: int,
    fmt: str = "png",
    color: tuple[int, int, int] = (40, 120, 200),
    transparent: bool = False,
) -> bytes:
    """An image of exactly ``width`` x ``height`` encoded as ``fmt``.

    It has a diagonal mark so that it is not a flat colour. ``transparent``
    gives an RGBA image with a see-through border (PNG/WEBP only).
    """
    from PIL import Image, ImageDraw

    fmt = normalize_image_format(fmt)
    width, height = max(1, int(width)), max(1, int(height))
    mode = "RGBA" if transparent and fmt != "jpeg" else "RGB"
    bg = (*color, 0) if mode == "RGBA" else color
    img = Image.new(mode, (width, height), bg)
    draw = ImageDraw.Draw(img)
    fill = (255, 255, 255, 255) if mode == "RGBA" else (255, 255, 255)
    draw.line([(0, 0), (width - 1, height - 1)], fill=fill, width=max(1, min(width, height) // 8))
    buf = io.BytesIO()
    img.save(buf, format=fmt.upper())
    return buf.getvalue()


def image_info(data: bytes) -> tuple[str, tuple[int, int]]:
    """(format in lower case, e.g. 'png'/'jpeg'/'webp', (width, height))."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return img.format.lower(), img.size


@lru_cache(maxsize=32)
def video_bytes(num_frames: int = 8, fps: float = 8, width: int = 64, height: int = 64) -> bytes:
    """An H.264 (yuv420p) MP4 with ``num_frames`` frames at ``fps``.

    ``width``/``height`` are rounded up to multiples of 16 (the codec's
    macro-block size) so ffmpeg doesn't rescale.
    """
    import imageio.v2 as imageio
    import numpy as np

    width, height = -(-int(width) // 16) * 16, -(-int(height) // 16) * 16
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        writer = imageio.get_writer(
            path, format="FFMPEG", mode="I", fps=fps, codec="libx264",
            pixelformat="yuv420p", macro_block_size=16, ffmpeg_log_level="error",
        )
        try:
            for i in range(num_frames):
                frame = np.zeros((height, width, 3), dtype=np.uint8)
                frame[..., 0] = (i * 255) // max(1, num_frames - 1)
                frame[:, : max(1, (i + 1) * width // num_frames), 1] = 200
                writer.append_data(frame)
        finally:
            writer.close()
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def video_info(data: bytes) -> dict:
    """{'frames': n, 'fps': f, 'size': (w, h), 'codec': str} of an MP4."""
    import imageio.v2 as imageio

    fd, path = tempfile.mkstemp(suffix=".mp4")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        reader = imageio.get_reader(path, format="FFMPEG")
        try:
            meta = reader.get_meta_data()
            frames = sum(1 for _ in reader)
        finally:
            reader.close()
        return {"frames": frames, "fps": meta.get("fps"), "size": tuple(meta.get("size", ())),
                "codec": meta.get("codec")}
    finally:
        os.unlink(path)


@lru_cache(maxsize=8)
def glb_bytes(color: tuple[int, int, int, int] = (200, 60, 30, 255), size: float = 1.0) -> bytes:
    """A binary glTF (GLB) cube whose vertices carry ``color`` (COLOR_0)."""
    import numpy as np
    import trimesh

    mesh = trimesh.creation.box(extents=(size, size, size))
    mesh.visual = trimesh.visual.ColorVisuals(
        mesh, vertex_colors=np.tile(np.array(color, dtype=np.uint8), (len(mesh.vertices), 1))
    )
    return mesh.export(file_type="glb")


def glb_info(data: bytes) -> dict:
    """{'vertices': n, 'faces': n, 'vertex_colors': bool} of a GLB."""
    import trimesh

    scene = trimesh.load(io.BytesIO(data), file_type="glb", force="scene")
    meshes = list(scene.geometry.values())
    return {
        "vertices": sum(len(m.vertices) for m in meshes),
        "faces": sum(len(m.faces) for m in meshes),
        "vertex_colors": any(getattr(m.visual, "kind", None) == "vertex" for m in meshes),
    }
