"""Score generated samples in the App: the form built from the metric
declarations, a run, the scores in the dataset; the generation form's
"Score as you generate" input."""

import numpy as np
from PIL import Image

import fiftyone as fo

from tests.conftest import HUB_CACHE

from .ui import expect

OPERATOR = "Score generated samples"


def test_score_from_the_app(app, dataset_name, tmp_path):
    from tests.tiny.scorers import install_scorers

    install_scorers(HUB_CACHE)  # the App process loads them from the same cache
    dataset = fo.Dataset(dataset_name, persistent=True)
    samples = []
    for i, prompt in enumerate(["a red fox", "a blue whale"]):
        path = str(tmp_path / f"img{i}.png")
        Image.fromarray(np.random.RandomState(i).randint(
            0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
        samples.append(fo.Sample(filepath=path, tags=["generated"],
                                 generation=fo.DynamicEmbeddedDocument(prompt=prompt)))
    dataset.add_samples(samples)
    dataset.add_dynamic_sample_fields()

    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR, first_input="Metrics")
    expect(app.chips("Metrics")).to_have_text(["CLIPScore"])
    app.fill("Frames", 0)
    app.expect_error("Frames", "frames must be between 1 and 64")
    app.fill("Frames", 4)
    app.expect_summary("Scores 2 samples with CLIPScore")
    app.shot("score-form")
    app.execute()

    app.expect_notice("Scored 2 with CLIPScore")
    app.close_progress()
    dataset.reload()
    values = dataset.values("scores.clip_score")
    assert len(values) == 2 and all(0 <= v <= 100 for v in values)
