"""The generated outputs of a dataset or view as plain dicts: what the grid
and the arena are built from (one ``values()`` call per field, no sample
objects)."""

import fiftyone.core.media as fomm

FIELDS = {
    "id": "id", "filepath": "filepath",
    "model": "generation.model", "model_label": "generation.model_label",
    "backend": "generation.backend", "prompt": "generation.prompt",
    "compare_key": "generation.compare_key", "index": "generation.index",
    "seed": "generation.seed", "run_id": "generation.run_id",
}


def score_fields(samples):
    """The metric ids under ``scores`` (float fields the scores helper
    writes), sorted."""
    schema = samples.get_field_schema(flat=True)
    return sorted(name.split(".", 1)[1] for name in schema
                  if name.startswith("scores.") and name.count(".") == 1)


def generated(samples):
    """Only the samples the plugin generated (they carry a model)."""
    return samples.exists("generation.model")


def outputs(samples, metric=None):
    """Every generated output of ``samples``: dicts with the keys of
    :data:`FIELDS` (plus ``score`` when ``metric`` is given)."""
    view = generated(samples)
    fields = dict(FIELDS)
    if metric:
        fields["score"] = f"scores.{metric}"
    values = view.values(list(fields.values()))
    found = [dict(zip(fields, row)) for row in zip(*values)]
    for output in found:  # as FiftyOne tells a sample's media type
        output["media_type"] = fomm.get_media_type(output["filepath"])
    return found
