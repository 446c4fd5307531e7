"""The generation fields in the App's sidebar, in reading order."""

from tests.unit.conftest import module

sidebar = module("core.sidebar")


def test_what_a_person_reads_first_comes_first():
    written = ["model", "model_label", "task", "backend", "provider_ref", "request_id",
               "prompt", "negative_prompt", "seed", "params", "latency_s", "created_at",
               "run_id", "index", "item_key", "compare_key", "plugin_version"]
    paths = sidebar.ordered_paths(written)
    assert paths[:6] == ["generation.model_label", "generation.prompt",
                         "generation.negative_prompt", "generation.seed",
                         "generation.backend", "generation.latency_s"]
    # the bookkeeping keys come last, by name
    assert paths[-7:] == ["generation.compare_key", "generation.index",
                          "generation.item_key", "generation.plugin_version",
                          "generation.provider_ref", "generation.request_id",
                          "generation.run_id"]
    assert sorted(paths) == sorted(f"generation.{n}" for n in written)


def test_fields_written_later_join_their_default_group():
    from types import SimpleNamespace as Group

    stored = [Group(name="tags", paths=["tags"]),
              Group(name="generation", paths=["generation.model_label"])]
    defaults = [Group(name="tags", paths=["tags", "_label_tags"]),
                Group(name="generation", paths=["generation.model_label"]),
                Group(name="scores", paths=["scores.clip"])]
    groups = sidebar.with_new_fields(stored, defaults)
    assert [(g.name, g.paths) for g in groups] == [
        ("tags", ["tags", "_label_tags"]), ("generation", ["generation.model_label"]),
        ("scores", ["scores.clip"])]
