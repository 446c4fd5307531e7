"""The dataset beside a source that receives its outputs, as shards of one
run reach for it at the same time."""

import fiftyone as fo

from tests.conftest import plugin_module


def test_a_dataset_another_shard_just_created_is_loaded(dataset, monkeypatch):
    groups = plugin_module("core.groups")
    made = fo.Dataset(f"{dataset.name}-edits")
    real = fo.dataset_exists
    answers = iter([False])  # this shard looked before the other created it
    monkeypatch.setattr(fo, "dataset_exists", lambda name: next(answers, None) or real(name))
    try:
        target = groups.dataset_beside(dataset, "edits")
        assert target.name == made.name
        assert fo.list_datasets().count(made.name) == 1
    finally:
        made.delete()
