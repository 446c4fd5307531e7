"""Prompt templates and provenance inside the files, through real runs:
the SDK and the providers' real clients against the local provider servers,
delegated shards on two `fiftyone delegated launch` workers, and the files
read back with independent readers (Pillow)."""

import io
import json

import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo
from fiftyone import ViewField as F

from tests.conftest import plugin_module
from tests.providers import KEYS, provider_servers
from tests.test_batches import Workers, run_queued_shards

OP = "@multigen/generate/txt2img"
GRID = "a {red|green|blue} {car|bicycle} in the __weather__"


@pytest.fixture
def servers(monkeypatch):
    with provider_servers(monkeypatch) as servers:
        yield servers


@pytest.fixture
def wildcards(tmp_path):
    folder = tmp_path / "wildcards"
    folder.mkdir()
    (folder / "weather.txt").write_text("rain\nsnow\n")
    return str(folder)


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def test_a_template_run_records_its_slots_as_fields_to_filter_on(servers, dataset,
                                                                   wildcards):
    op = foo.get_operator(OP)
    res = op(dataset, prompt=GRID, wildcards_dir=wildcards, model="flux-schnell",
             backend="replicate", seed=5, output_format="png")
    assert res.result["failed"] == [] and len(dataset) == 12  # 3 x 2 x 2
    # declared fields: the App's sidebar filters on them
    schema = dataset.get_field_schema(flat=True)
    for name in ("generation.template", "generation.vars.slot1", "generation.vars.slot2",
                 "generation.vars.weather"):
        assert name in schema, name
    assert dataset.distinct("generation.template") == [GRID]
    assert dataset.count_values("generation.vars.slot1") == {"red": 4, "green": 4, "blue": 4}
    assert dataset.count_values("generation.vars.weather") == {"rain": 6, "snow": 6}
    red_cars = dataset.match((F("generation.vars.slot1") == "red")
                             & (F("generation.vars.slot2") == "car"))
    assert sorted(red_cars.values("generation.prompt")) == ["a red car in the rain",
                                                            "a red car in the snow"]
    # the same run again finds every output made: templates expand alike
    again = op(dataset, prompt=GRID, wildcards_dir=wildcards, model="flux-schnell",
               backend="replicate", seed=5, output_format="png")
    assert again.result["skipped"] == 12 and again.result["sample_ids"] == []

    # random sampling: N distinct prompts, the same for the same seed
    other = fo.Dataset()
    try:
        first = op(other, prompt=GRID, wildcards_dir=wildcards, template_mode="random",
                   num_prompts=5, model="flux-schnell", backend="replicate", seed=8)
        assert first.result["failed"] == [] and len(other) == 5
        prompts = sorted(other.values("generation.prompt"))
        assert len(set(prompts)) == 5
        for sample in other:
            gen = sample.generation
            assert gen.prompt == f"a {gen.vars.slot1} {gen.vars.slot2} in the " \
                                 f"{gen.vars.weather}"
        second = op(other, prompt=GRID, wildcards_dir=wildcards, template_mode="random",
                    num_prompts=5, model="flux-schnell", backend="replicate", seed=8)
        assert second.result["skipped"] == 5
    finally:
        other.delete()

    with pytest.raises(ValueError, match="template_mode: .*choose Random sampling"):
        op(dataset, prompt="{a|b|c|d|e|f|g|h|i|j} " * 4, model="flux-schnell")


def test_delegated_shards_expand_a_random_template_identically(servers, dataset, workers,
                                                               wildcards):
    dataset.persistent = True
    servers["replicate"].latency = 0.1
    op = foo.get_operator(OP)
    res = op(dataset, prompt=GRID, wildcards_dir=wildcards, template_mode="random",
             num_prompts=8, model="flux-schnell", backend="replicate", num_images=2,
             shards=2, delegate=True)
    run_queued_shards(res, workers)
    dataset.reload()
    keys = dataset.values("generation.item_key")
    assert len(keys) == 16 == len(set(keys)), "each prompt and image exactly once"
    # the shards drew the same 8 prompts: exactly those this seed draws
    seed = res.result["seed"]
    request = plugin_module("core.request").parse(
        "txt2img", {"models": ["flux-schnell"], "prompt": GRID, "wildcards_dir": wildcards,
                    "template_mode": "random", "num_prompts": 8, "seed": seed}, {},
        check_ready=False)
    assert sorted(dataset.values("generation.prompt")) == sorted(request.prompts * 2)
    for sample in dataset:
        expected = request.expansions[sample.generation.prompt].vars
        assert slot_values(sample.generation) == expected


def slot_values(generation):
    return {k: v for k, v in generation.vars.to_dict().items() if not k.startswith("_")}


def read_back(path):
    """What Pillow reads of a file's provenance: (parameters, record)."""
    with Image.open(path) as image:
        image.load()
        if image.format == "PNG":
            return image.info["parameters"], json.loads(image.info["generation"])
        comment = image.getexif().get_ifd(0x8769)[0x9286]
        xmp = image.info["xmp"]
    encoding = "utf-16-be" if comment.startswith(b"UNICODE") else "ascii"
    xmp = xmp.decode("utf-8") if isinstance(xmp, bytes) else xmp
    from xml.etree import ElementTree

    ns = "{https://github.com/multigen/generate/ns/1.0/}"
    tree = ElementTree.fromstring(xmp[xmp.index("<x:xmpmeta"):xmp.rindex("</x:xmpmeta>") + 12])
    return comment[8:].decode(encoding), json.loads(tree.find(f".//{ns}generation").text)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_image_files_carry_their_provenance(servers, dataset, fmt):
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a {red|blue} kite", model="gpt-image-2", output_format=fmt,
             negative_prompt=None)
    assert res.result["failed"] == [] and len(dataset) == 2
    for sample in dataset:
        assert sample.metadata.size_bytes == len(open(sample.filepath, "rb").read())
        parameters, record = read_back(sample.filepath)
        gen = sample.generation
        assert parameters.splitlines()[0] == gen.prompt
        assert "Model: gpt-image-2" in parameters and "Size: " in parameters
        assert "Template: a {red|blue} kite" in parameters
        assert record["item_key"] == gen.item_key and record["vars"] == slot_values(gen)
        assert record["params"]["output_format"] == fmt
        data = open(sample.filepath, "rb").read()
        assert not any(key.encode() in data for key in KEYS.values())


def test_a_setting_turns_embedding_off(servers, dataset):
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a kite", model="flux-schnell", backend="replicate", seed=1,
             output_format="png", embed_provenance=False)
    assert res.result["failed"] == []
    with Image.open(dataset.first().filepath) as image:
        assert "parameters" not in image.info and "generation" not in image.info
    assert dataset.first().generation.prompt == "a kite"  # the field stays
