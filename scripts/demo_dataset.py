"""Creates the persistent ``multigen-demo`` dataset: a few source images to
bring to life or turn into 3D, and room for generated images."""

import os

import fiftyone as fo
from PIL import Image, ImageDraw

NAME = "multigen-demo"

if fo.dataset_exists(NAME):
    print(f"dataset {NAME} exists")
else:
    folder = os.path.join(fo.config.default_dataset_dir, NAME, "sources")
    os.makedirs(folder, exist_ok=True)
    samples = []
    for i, (sky, ground) in enumerate([((135, 206, 235), (34, 139, 34)),
                                       ((255, 160, 122), (210, 180, 140)),
                                       ((25, 25, 112), (47, 79, 79))]):
        # 640 px: the smallest side Stability's SPAR3D takes
        image = Image.new("RGB", (640, 640), sky)
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 425, 640, 640], fill=ground)
        draw.ellipse([225, 150, 412, 337], fill=(255, 215, 0))
        path = os.path.join(folder, f"scene-{i}.png")
        image.save(path)
        samples.append(fo.Sample(filepath=path, tags=["source"]))
    dataset = fo.Dataset(NAME, persistent=True)
    dataset.add_samples(samples)
    dataset.compute_metadata()
    print(f"created dataset {NAME} with {len(dataset)} images")
