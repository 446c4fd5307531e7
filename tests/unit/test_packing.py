"""Local work in a run: items of one model and options reach the backend
together (packed into fewer calls), models one after another, outputs and
failures still per item, with each output's own prompt and seed."""

import threading
from dataclasses import dataclass, field
from typing import ClassVar, List

from tests.unit.conftest import module
from tests.unit.test_run import MemoryWriter, Scripted

base = module("core.backends.base")
catalog = module("core.catalog")
plan_module = module("core.plan")
request_module = module("core.request")
run_module = module("core.run")
local = module("core.backends.diffusers_local")


@dataclass
class Packing(base.Backend):
    """Records each generate_many; makes one output per seed, named after
    its prompt and seed; a prompt starting with "fail" fails after the
    first of its outputs."""

    kind = "packing"
    label = "Packing"
    packs_inputs = True
    calls: List = field(default_factory=list)
    max_batch: int = 8
    threads: ClassVar[set] = set()

    @property
    def ref(self):
        return "packing"

    def generate_many(self, jobs, secrets):
        self.calls.append([(job.prompt, job.seed, job.count) for job in jobs])
        self.threads.add(threading.current_thread().name)
        for job in jobs:
            outputs = [base.Output(data=f"{job.prompt}:{job.seed + i}".encode(), ext="txt",
                                   seed=job.seed + i) for i in range(job.count)]
            if job.prompt.startswith("fail"):
                yield job, outputs[:1], base.GenerationError("the second one failed")
            elif job.prompt.startswith("first"):
                yield job, outputs[1:], base.GenerationError("the first one failed")
            else:
                yield job, outputs, None


def choice(model_id, backend, count=1, **options):
    model = catalog.Model(model_id, model_id, "txt2img", backends=(backend,))
    return request_module.Choice(model, backend, options, count=count)


def test_items_of_one_model_reach_the_backend_together_one_model_after_another():
    a, b = Packing(), Packing()
    hosted = Scripted()
    choices = [choice("a", a, count=2), choice("hosted", hosted), choice("b", b)]
    items = plan_module.plan(choices, ["p1", "p2", "p3"], seed=10)
    # shuffled as a shard or a resumed run may leave them
    items = items[::-1]
    writer = MemoryWriter()
    run = run_module.Run(items, {}, writer)
    progress = list(run)
    assert progress[-1].done == 3 * 2 + 3 + 3 and not run.failed
    # one call per model, all its prompts in it; seeds as planned
    assert a.calls == [[("p3", 10, 2), ("p2", 10, 2), ("p1", 10, 2)]]
    assert b.calls == [[("p3", 10, 1), ("p2", 10, 1), ("p1", 10, 1)]]
    # each output is its own prompt's, with its own seed
    assert sorted(i for i in writer.sample_ids if i.startswith("p1:")) == [
        "p1:10", "p1:10", "p1:11"]
    # local work ran in the local lane; its media work beside it
    assert Packing.threads == {"multigen-local_0"}
    assert any(n.startswith("multigen-media") for n in writer.prepared_on)


def test_items_with_other_options_are_other_groups():
    backend = Packing()
    items = (plan_module.plan([choice("m", backend, steps=4)], ["x", "y"], seed=1)
             + plan_module.plan([choice("m", backend, steps=8)], ["x"], seed=1))
    groups = run_module.packs(items, {})
    assert [[i.prompt for i in group] for _, group in groups] == [["x", "y"], ["x"]]


def test_a_partly_failed_item_keeps_what_was_made_and_counts_the_rest():
    backend = Packing()
    items = plan_module.plan([choice("m", backend, count=2)], ["ok", "fail"], seed=1)
    writer = MemoryWriter()
    run = run_module.Run(items, {}, writer)
    progress = list(run)
    assert sorted(writer.sample_ids) == ["fail:1", "ok:1", "ok:2"]
    assert progress[-1].done == 3 and progress[-1].failed == 1
    assert [(f.prompt, f.error) for f in run.failed] == [("fail", "the second one failed")]


def test_what_survives_a_partly_failed_item_keeps_its_own_index_and_key():
    class Keys(MemoryWriter):
        def __init__(self):
            super().__init__()
            self.keys = {}

        def prepare(self, item, offset, output, **kwargs):
            self.keys[output.data.decode()] = (item.first_index + offset,
                                               item.output_key(offset))
            return super().prepare(item, offset, output, **kwargs)

    items = plan_module.plan([choice("m", Packing(), count=2)], ["first"], seed=5)
    writer = Keys()
    list(run_module.Run(items, {}, writer))
    # output 0 failed; output 1 (seed 6) is index 1, with index 1's resume key
    assert writer.keys == {"first:6": (1, items[0].output_key(1))}


def test_a_cancelled_run_stops_the_local_lane():
    backend = Packing()
    items = plan_module.plan([choice("m", backend)], ["a", "b"], seed=1)
    run = run_module.Run(items, {}, MemoryWriter())
    run.cancel()
    list(run)
    assert backend.calls == []
    assert {f.error for f in run.failed} == {"cancelled before it started"}


# the local backend's own bookkeeping, without torch -----------------------------------

def sd(**changes):
    return local.Diffusers(repo="org/sd", **changes)


def test_a_negative_prompt_is_sent_only_where_guidance_uses_it():
    assert sd().effective({"negative_prompt": "blurry", "guidance_scale": 7.5}) == {
        "negative_prompt": "blurry", "guidance_scale": 7.5}
    # diffusers turns classifier-free guidance off at guidance_scale <= 1
    assert sd().effective({"negative_prompt": "blurry", "guidance_scale": 0.0})[
        "negative_prompt"] is None
    fixed = sd(call_args={"guidance_scale": 0.0})
    assert fixed.effective({"negative_prompt": "blurry"})["negative_prompt"] is None
    # a blank one is the model's recommended one, where its docs give one
    wan = sd(recommended_negative="static, blurred")
    assert wan.effective({"negative_prompt": None, "guidance_scale": 5.0})[
        "negative_prompt"] == "static, blurred"
    assert wan.effective({"negative_prompt": "mine", "guidance_scale": 5.0})[
        "negative_prompt"] == "mine"


def test_the_catalog_records_what_acts(all_keys):
    def options(model_id, **params):
        request = request_module.parse("txt2img", {"prompt": "x", "models": [model_id],
                                                   "options": {model_id: {"backend": "diffusers"}},
                                                   **params}, all_keys)
        assert request.valid, request.errors
        return request.choices[0].options

    assert options("sd3.5-large-turbo", negative_prompt="blurry")["negative_prompt"] is None
    assert options("sd3.5-large", negative_prompt="blurry")["negative_prompt"] == "blurry"
    assert options("flux-dev")["num_inference_steps"] == 50  # diffusers' FLUX docs
    assert options("sdxl")["speed"] == "safe"
    lightning = catalog.get("sdxl-lightning")
    assert "negative_prompt" not in {p.name for p in lightning.all_params}
    video = request_module.parse(
        "img2video", {"models": ["wan2.1-i2v-480p"], "prompt": "pan"}, all_keys,
        prompt="optional")
    assert "overexposed" in video.choices[0].options["negative_prompt"]


def test_only_a_missing_variant_falls_back_to_full_weights():
    missing = ValueError("You are trying to load model files of the `variant=fp16`, "
                         "but no such modeling files are available.")
    assert local._missing_variant(missing, "fp16")

    class LocalEntryNotFoundError(OSError):
        pass

    class GatedRepoError(OSError):
        pass

    assert not local._missing_variant(LocalEntryNotFoundError("offline, variant fp16"), "fp16")
    assert not local._missing_variant(GatedRepoError("401 gated"), "fp16")
    assert not local._missing_variant(OSError("Connection reset by peer"), "fp16")


def test_weights_are_sized_from_the_hub_cache_before_loading(tmp_path, monkeypatch):
    import json
    import struct

    def safetensors(path, tensors):
        header = json.dumps({name: {"dtype": dtype, "shape": shape, "data_offsets": [0, 0]}
                             for name, (dtype, shape) in tensors.items()}).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(struct.pack("<Q", len(header)) + header)

    snapshot = tmp_path / "models--org--sd" / "snapshots" / "abc"
    safetensors(snapshot / "unet" / "diffusion_pytorch_model.safetensors",
                {"w": ("F32", [1000, 1000]), "steps": ("I64", [10])})
    safetensors(snapshot / "unet" / "diffusion_pytorch_model.fp16.safetensors",
                {"w": ("F16", [1000, 1000]), "steps": ("I64", [10])})
    (snapshot / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"x" * 10)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    # half precision from the fp16 files: floats at 2 bytes, the rest as stored
    assert local.weights_in_cache("org/sd", "fp16", 2) == 2_000_000 + 80
    # full precision from the full files (safetensors over .bin)
    assert local.weights_in_cache("org/sd", None, 4) == 4_000_000 + 80
    assert local.weights_in_cache("org/absent") is None


def test_host_memory_is_checked_before_loading(tmp_path, monkeypatch):
    import json
    import struct
    import types

    def safetensors(path, count):
        header = json.dumps({"w": {"dtype": "BF16", "shape": [count],
                                   "data_offsets": [0, 0]}}).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(struct.pack("<Q", len(header)) + header)

    snapshot = tmp_path / "models--org--wan" / "snapshots" / "abc"
    # two 14B experts and a text encoder, in GB of 16-bit weights / 1e9
    for folder, gb in (("transformer", 28), ("transformer_2", 28), ("text_encoder", 11)):
        safetensors(snapshot / folder / "diffusion_pytorch_model.safetensors", gb * 500)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(local, "RESIDENCY", module("core.backends.residency").Residency())
    wan = local.Diffusers(repo="org/wan")
    bf16 = types.SimpleNamespace(itemsize=2)

    def with_host(units):
        monkeypatch.setattr(local, "host_memory", lambda: units * 1000)

    with_host(80)
    assert wan.precision_to_load("cuda", bf16) is False  # 67 fits in 16 bits
    with_host(48)
    assert wan.precision_to_load("cuda", bf16) is True  # 39 with fp8 experts
    with_host(30)
    try:
        wan.precision_to_load("cuda", bf16)
        raise AssertionError("loaded what host memory cannot hold")
    except base.GenerationError as e:
        assert "org/wan" in str(e) and "host memory" in str(e) and "fp8" in str(e)
    with_host(48)
    try:
        wan.precision_to_load("cpu", bf16)  # fp8 storage is for CUDA GPUs
        raise AssertionError("loaded what host memory cannot hold")
    except base.GenerationError as e:
        assert "host memory" in str(e)
    assert local.Diffusers(repo="org/not-downloaded").precision_to_load("cuda", bf16) is False


def test_the_batch_follows_free_memory_and_the_output_size(monkeypatch):
    placement = module("core.backends.placement")
    gib = placement.GIB
    backend = sd(max_batch=16, working_gib=1.0, decode_gib=2.5)
    entry = module("core.backends.residency").Entry(
        "k", None, placement.MemoryPlan("full", "cpu"), weights=4 * gib)
    monkeypatch.setattr(local, "RESIDENCY", module("core.backends.residency").Residency())
    local.RESIDENCY.add(entry)
    small, large = {"width": 512, "height": 512}, {"width": 1024, "height": 1024}
    monkeypatch.delenv("MULTIGEN_DEVICE_MEMORY_GIB", raising=False)
    assert backend.batch_size(small, entry) == 16  # no budget: the most it takes
    monkeypatch.setenv("MULTIGEN_DEVICE_MEMORY_GIB", "12")
    # 8 GiB left after the weights; 1024x1024 needs about 1.05 GiB an image
    # plus one 2.6 GiB decode: 5; 512x512 four times fewer pixels: 16
    assert backend.batch_size(large, entry) == 5
    assert backend.batch_size(small, entry) == 16
    monkeypatch.setenv("MULTIGEN_DEVICE_MEMORY_GIB", "4.5")
    assert backend.batch_size(large, entry) == 1  # never less than one


def test_one_call_takes_every_prompt_and_reports_blacked_out_images(monkeypatch):
    from PIL import Image

    image_local = module("text_to_image.local")
    backend = image_local.DiffusersImage(repo="org/sd")
    monkeypatch.setattr(backend, "apply_speed", lambda *a, **k: {"mode": "safe"})
    seen = {}

    class Result:
        images = [Image.new("RGB", (8, 8)), Image.new("RGB", (8, 8), "white")]
        nsfw_content_detected = [True, False]

    def pipe(**kwargs):
        seen.update(kwargs)
        return Result()

    jobs = [base.Job(model=None, prompt=p, options={"negative_prompt": "blurry", "speed": "safe",
                                                    "guidance_scale": 7.0}, seed=1)
            for p in ("a cat", "a dog")]
    rows = [local.Row(job, 1) for job in jobs]
    flagged, kept = backend.call(pipe, rows, ["g1", "g2"], entry=None)
    assert seen["prompt"] == ["a cat", "a dog"] and seen["generator"] == ["g1", "g2"]
    assert seen["negative_prompt"] == ["blurry", "blurry"] and "speed" not in seen
    assert isinstance(flagged, base.GenerationError) and "safety checker" in str(flagged)
    assert kept.ext == "png" and kept.extra["speed"] == {"mode": "safe"}


def test_ltx_decode_arguments_go_only_to_a_timestep_conditioned_vae():
    catalog.get("ltx-video")  # registered
    backend = catalog.get("ltx-video").backend("diffusers")
    job = base.Job(model=None, prompt="pan", options={"fps": 24, "sizing": "crop",
                                                      "memory": "auto", "speed": "safe"})

    class Pipe:
        class vae:
            class config:
                timestep_conditioning = True

    plan = module("video.memory").choose("auto", "cpu", 24.0)
    kwargs = backend.video_kwargs(job, plan, Pipe())
    assert (kwargs["decode_timestep"], kwargs["decode_noise_scale"]) == (0.05, 0.025)
    assert kwargs["frame_rate"] == 24 and "speed" not in kwargs and "memory" not in kwargs
    Pipe.vae.config.timestep_conditioning = False
    assert "decode_timestep" not in backend.video_kwargs(job, plan, Pipe())
