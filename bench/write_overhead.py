"""Benchmark 2: write overhead. 1,000 images from an instant backend through
the plugin's run (work items, thread pool, atomic files, integrity check,
batched add_samples) vs a plain loop writing the same bytes and adding the
same samples (same metadata and provenance fields) with one add_samples.
Both produce the same dataset, so the ratio is the plugin's own overhead.
Goal: at most 1.25x."""

import io
import os
import tempfile
import time
from dataclasses import dataclass

from bench.env import plugin_module, ratio_line

COUNT = 1000


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def main():
    import fiftyone as fo

    base = plugin_module("core.backends.base")
    catalog = plugin_module("core.catalog")
    plan = plugin_module("core.plan")
    request = plugin_module("core.request")
    run_module = plugin_module("core.run")
    writer = plugin_module("text_to_image.writer")
    data = png_bytes()

    @dataclass
    class Instant(base.Backend):
        """Returns the same image at once: only the write path is measured."""

        kind = "instant"
        label = "Instant"

        @property
        def ref(self):
            return "instant"

        def generate(self, job, secrets):
            return [base.Output(data=data, ext="png") for _ in range(job.count)]

    model = catalog.Model("bench-instant", "Instant", "txt2img", backends=(Instant(),))
    prompts = [f"prompt {i}" for i in range(COUNT)]

    provenance = plugin_module("core.provenance")
    choice = request.Choice(model, model.backends[0], {})
    items = plan.plan([choice], prompts, seed=1)
    folder = tempfile.mkdtemp(prefix="bench-baseline-")
    dataset = fo.Dataset()
    start = time.perf_counter()
    batch = []
    for i, item in enumerate(items):
        path = os.path.join(folder, f"{i}.png")
        with open(path, "wb") as f:
            f.write(data)
        output = base.Output(data=data, ext="png")
        output.record = provenance.record(item, 0, output, latency_s=0.0, run_id="baseline")
        doc = provenance.document(output)
        batch.append(fo.Sample(
            filepath=path, tags=["generated", model.id], generation=doc,
            metadata=fo.ImageMetadata(size_bytes=len(data), mime_type="image/png",
                                      width=256, height=256, num_channels=3)))
    dataset.add_samples(batch)
    baseline = time.perf_counter() - start
    dataset.delete()

    dataset = fo.Dataset()
    start = time.perf_counter()
    run = run_module.Run(items, {}, writer.ImageWriter(dataset, tempfile.mkdtemp()))
    for _ in run:
        pass
    plugin = time.perf_counter() - start
    assert len(dataset) == COUNT and not run.failed
    dataset.delete()
    print(f"  baseline (bytes + one add_samples): {baseline:.2f} s; plugin: {plugin:.2f} s "
          f"({COUNT} images)")
    print(ratio_line("write overhead (plugin / baseline)", plugin / baseline, 1.25, "lower"))


if __name__ == "__main__":
    main()
