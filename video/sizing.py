"""Fitting a source image to the video size a local model renders.

Local pipelines stretch whatever they get to ``width`` x ``height``; the user
chooses instead how the picture meets that frame.
"""

SIZING_MODES = ("crop", "pad", "resize")


def load_source(path, width, height, mode="crop"):
    """The RGB image at ``path`` fitted to ``width`` x ``height``:

    - ``crop``: scaled to cover the frame, centre cropped (no bars, edges lost)
    - ``pad``: scaled to fit inside the frame, black bars (nothing lost)
    - ``resize``: stretched to the frame (aspect changes)
    """
    from PIL import Image, ImageOps

    if mode not in SIZING_MODES:
        raise ValueError(f"sizing must be one of {', '.join(SIZING_MODES)}; got {mode!r}")
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    size = (int(width), int(height))
    if mode == "crop":
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    if mode == "pad":
        return ImageOps.pad(image, size, Image.Resampling.LANCZOS, color=(0, 0, 0))
    return image.resize(size, Image.Resampling.LANCZOS)
