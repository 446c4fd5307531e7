"""H.264 MP4 in and out: encoding generated frames, and reading a video's
metadata (ffprobe through FiftyOne, else the ffmpeg that imageio-ffmpeg ships).
"""

import logging
import os
import tempfile

logger = logging.getLogger(__name__)

MIME = "video/mp4"
# imageio-ffmpeg maps quality q to x264's -crf (1 - q/10) * 51: 6 -> crf 20
QUALITY = 6


def to_uint8(frames):
    """(n, h, w, 3) floats in [0, 1] (diffusers' ``output_type="np"``) as bytes."""
    import numpy as np

    frames = np.asarray(frames)
    if frames.dtype == np.uint8:
        return frames
    return (np.clip(frames, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def encode_mp4(frames, fps):
    """Encodes (n, h, w, 3) uint8 frames as an H.264 (yuv420p) MP4 at ``fps``
    and returns its bytes. Width and height must be even (the local models'
    sizes are multiples of 8), so ffmpeg never rescales."""
    import imageio.v2 as imageio

    n, height, width = frames.shape[:3]
    if width % 2 or height % 2:
        raise ValueError(f"H.264 needs an even frame size; got {width}x{height}")
    fd, path = tempfile.mkstemp(suffix=".mp4", prefix="multigen-")
    os.close(fd)
    try:
        writer = imageio.get_writer(
            path, format="FFMPEG", mode="I", fps=fps, codec="libx264",
            pixelformat="yuv420p", quality=QUALITY, macro_block_size=2,
            ffmpeg_log_level="error",
        )
        try:
            for frame in frames:
                writer.append_data(frame)
        finally:
            writer.close()
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.remove(path)


def video_metadata(path):
    """``fo.VideoMetadata`` of the video at ``path``; raises ``ValueError``
    when it does not decode as a video."""
    import fiftyone as fo

    if not _has_ffprobe():
        # FiftyOne reads video metadata with ffprobe (Debian: apt-get install
        # ffmpeg); without it, ask the ffmpeg that imageio-ffmpeg bundles
        logger.info("ffprobe not found; reading video metadata with imageio-ffmpeg")
        return _metadata_without_ffprobe(path)
    try:
        metadata = fo.VideoMetadata.build_for(path, mime_type=MIME)
    except Exception as e:
        raise ValueError(f"the video does not decode: {e}") from None
    if not metadata.total_frame_count:
        raise ValueError("the video has no frames")
    return metadata


def _has_ffprobe():
    import shutil

    return shutil.which("ffprobe") is not None


def _metadata_without_ffprobe(path):
    import fiftyone as fo
    import imageio_ffmpeg

    try:
        reader = imageio_ffmpeg.read_frames(path)
        meta = next(reader)
        reader.close()
        frames, seconds = imageio_ffmpeg.count_frames_and_secs(path)
    except Exception as e:
        raise ValueError(f"the video does not decode: {e}") from None
    width, height = meta["size"]
    return fo.VideoMetadata(
        size_bytes=os.path.getsize(path), mime_type=MIME,
        frame_width=width, frame_height=height, frame_rate=meta["fps"],
        total_frame_count=frames, duration=seconds, encoding_str=meta.get("codec"),
    )
