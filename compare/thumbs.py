"""The arena's pictures as data URLs: the page then holds no file path (the
plugin writes outputs under a folder named after the model, so a /media URL
would name it), and a downscaled JPEG travels faster than the original."""

import base64
import io

MAX_SIDE = 768


def data_url(filepath, max_side=MAX_SIDE):
    """``data:image/jpeg;base64,...`` of the image at ``filepath``, its
    longer side at most ``max_side`` pixels."""
    from PIL import Image

    with Image.open(filepath) as image:
        image = image.convert("RGB")
        image.thumbnail((max_side, max_side))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
