"""The pictures a sample is scored on: an image itself; a video's frames,
sampled evenly; a 3D scene's preview (the turntable GIF or still that
text_to_3d writes beside each mesh: ``thumbnail_path``, or
``generation.preview_path``), its frames sampled the same way.
"""

import os

VIDEO_FRAMES = 8  # frames scored per video (and per turntable)


def evenly(count, wanted):
    """``wanted`` indices spread evenly over ``count`` frames (first and
    last included), or every index when there are fewer."""
    if count <= wanted:
        return list(range(count))
    if wanted == 1:
        return [count // 2]
    return sorted({round(i * (count - 1) / (wanted - 1)) for i in range(wanted)})


def image(path):
    from PIL import Image

    with Image.open(path) as picture:
        return picture.convert("RGB")


def animation_frames(path, wanted):
    """Frames of a GIF (or one still) as RGB images."""
    from PIL import Image

    with Image.open(path) as picture:
        count = getattr(picture, "n_frames", 1)
        frames = []
        for index in evenly(count, wanted):
            picture.seek(index)
            frames.append(picture.convert("RGB"))
        return frames


def video_frames(path, wanted):
    """Frames of a video, decoded once with the ffmpeg imageio-ffmpeg ships."""
    import imageio.v2 as imageio
    from PIL import Image

    reader = imageio.get_reader(path, "ffmpeg")
    try:
        frames = [frame for frame in reader]
    finally:
        reader.close()
    if not frames:
        raise ValueError(f"no frames could be read from {os.path.basename(path)}")
    return [Image.fromarray(frames[i]).convert("RGB") for i in evenly(len(frames), wanted)]


def preview_path(target):
    """A 3D sample's preview picture: where text_to_3d put it."""
    for path in (target.get("thumbnail_path"), target.get("preview_path")):
        if path and os.path.isfile(path):
            return path
    raise ValueError("this 3D sample has no preview picture to score")


def pictures_of(target, frames=VIDEO_FRAMES):
    """The RGB pictures of one target (``{"filepath", "media_type",
    "thumbnail_path", "preview_path"}``); raises ``ValueError`` or
    ``OSError`` saying why there are none."""
    media_type, path = target["media_type"], target["filepath"]
    if media_type == "image":
        if os.path.splitext(path)[1].lower() == ".gif":
            return animation_frames(path, frames)
        return [image(path)]
    if media_type == "video":
        return video_frames(path, frames)
    if media_type == "3d":
        return animation_frames(preview_path(target), frames)
    raise ValueError(f"cannot score {media_type or 'unknown'} samples")
