"""Memory plans chosen from sizes, and loaded pipelines kept within a budget
(least recently used out first), counted without loading anything."""

import pytest

from tests.unit.conftest import module

placement = module("core.backends.placement")
residency = module("core.backends.residency")
GIB = placement.GIB


def sizes(denoisers=("transformer",), **gib):
    return placement.Sizes({k: int(v * GIB) for k, v in gib.items()}, denoisers)


# public sizes in 16 bits (model cards: parameter counts x 2 bytes)
SD15 = sizes(("unet",), unet=1.72, text_encoder=0.25, vae=0.17)
FLUX = sizes(transformer=23.8, text_encoder_2=9.5, text_encoder=0.25, vae=0.17)
WAN21_14B = sizes(transformer=28.6, text_encoder=11.4, image_encoder=1.3, vae=0.5)
WAN22_A14B = sizes(("transformer", "transformer_2"), transformer=28.6, transformer_2=28.6,
                   text_encoder=11.4, vae=0.5)


def choose(model, device_gib, host_gib, working_gib=2.0, **kwargs):
    return placement.choose(model, "cuda", free_device=device_gib * GIB,
                            free_host=None if host_gib is None else host_gib * GIB,
                            working=int(working_gib * GIB), **kwargs)


def test_the_plan_follows_the_model_size_and_free_memory():
    assert choose(SD15, 24, 64).placement == "full"
    # FLUX.1 on 24 GB: its transformer alone fills the card
    flux = choose(FLUX, 24, 96)
    assert (flux.placement, flux.fp8) == ("group_offload", False)
    assert flux.use_stream  # host memory holds twice the weights: streams overlap
    assert choose(FLUX, 32, 64).placement == "model_offload"
    assert choose(FLUX, 80, 64).placement == "full"
    # Wan 2.1 14B on 24 GB: layer groups, without streams when host memory
    # holds the weights once but not twice
    wan = choose(WAN21_14B, 24, 64)
    assert (wan.placement, wan.use_stream) == ("group_offload", False)
    # Wan 2.2 A14B needs about 70 GB of host memory in 16 bits; with 48 its
    # two experts are stored in fp8, and each then fits the card whole
    wan22 = choose(WAN22_A14B, 24, 48)
    assert (wan22.placement, wan22.fp8) == ("model_offload", True)
    assert "host memory" in wan22.reason and "fits neither" in wan22.reason
    assert choose(WAN22_A14B, 24, 80).fp8 is False


def test_when_nothing_fits_the_message_says_what_would():
    with pytest.raises(placement.NotEnoughMemory) as e:
        choose(WAN22_A14B, 24, 32)
    assert "host memory" in str(e.value) and "smaller model" in str(e.value)
    # without group offload, fp8 weights let the transformer fit whole; with
    # neither (an older diffusers), layer by layer
    wan = choose(WAN21_14B, 24, 64, group_offload=False)
    assert (wan.placement, wan.fp8) == ("model_offload", True)
    assert choose(WAN21_14B, 24, 64, group_offload=False,
                  layerwise=False).placement == "sequential_offload"
    with pytest.raises(placement.NotEnoughMemory):
        choose(WAN22_A14B, 24, 48, layerwise=False)


def test_a_forced_placement_and_other_devices():
    assert choose(FLUX, 24, 64, forced="full").placement == "full"  # as asked
    assert choose(SD15, 24, 64, forced="model_offload").placement == "model_offload"
    on_cpu = placement.choose(FLUX, "cpu", free_host=64 * GIB)
    assert (on_cpu.placement, on_cpu.device) == ("full", "cpu")
    record = choose(SD15, 24, 64).record()
    assert record["placement"] == "full" and record["weights_gib"] == 2.1


def test_the_out_of_memory_message_names_what_helps():
    text = placement.out_of_memory_message(
        placement.MemoryPlan("group_offload", "cuda"), 1024, 1024)
    assert "1024x1024" in text and "group offload" in text
    assert "width and height" in text and "steps does not change" in text


class Moves:
    def __init__(self):
        self.log = []

    def __call__(self, entry, to_device):
        self.log.append((entry.key, "device" if to_device else "host"))


def entry(key, gib, plan="full"):
    return residency.Entry(key, object(), placement.MemoryPlan(plan, "cuda"), int(gib * GIB))


def test_least_recently_used_pipelines_leave_the_device_first():
    moves = Moves()
    r = residency.Residency(move=moves)
    device, host = 10 * GIB, 100 * GIB
    for key in "abc":  # three 4 GB models, a 10 GB budget
        r.make_room(4 * GIB, device, host, keep=key)
        r.add(entry(key, 4))
    # loading c moved a (the least recently used) to host memory
    assert moves.log == [("a", "host")] and r.device_used() == 8 * GIB
    r.use("b", device, host)  # b is now the most recently used
    assert r.use("a", device, host).on_device  # a comes back: c leaves, not b
    assert moves.log[-2:] == [("c", "host"), ("a", "device")]
    assert r.loads == {"a": 1, "b": 1, "c": 1}
    assert (r.evictions["a"], r.evictions["c"], r.restores["a"]) == (1, 1, 1)
    assert r.use("nothing", device, host) is None


def test_without_host_room_pipelines_are_dropped_least_recently_used_first():
    r = residency.Residency()
    device = 5 * GIB
    for key in "abc":
        r.make_room(4 * GIB, device, 4 * GIB, keep=key)
        r.add(entry(key, 4))
    # a went to host memory; for b's room, a is dropped (older), b waits there
    assert "a" not in r and not r.entries["b"].on_device and r.entries["c"].on_device
    assert r.drops == {"a": 1} and r.evictions == {"a": 1, "b": 1}
    # no host room at all: straight out (and b, waiting there, stays)
    r.make_room(4 * GIB, device, 0, keep="d")
    assert set(r.entries) == {"b"} and r.drops["c"] == 1 and r.drops["b"] == 0
    r.clear()
    assert not r.entries


def test_offloaded_pipelines_hold_no_device_room_and_no_budget_means_no_eviction():
    r = residency.Residency()
    r.add(entry("big", 30, plan="group_offload"))
    assert r.device_used() == 0 and r.host_used() == 30 * GIB
    assert r.make_room(4 * GIB, 10 * GIB, None) == 10 * GIB
    r.add(entry("x", 4))
    assert r.make_room(100 * GIB, None, None) is None and r.evictions == {}


def test_budget_settings(monkeypatch):
    monkeypatch.setenv(residency.DEVICE_SETTING, "1.5")
    assert residency.setting_bytes(residency.DEVICE_SETTING) == int(1.5 * GIB)
    monkeypatch.setenv(residency.DEVICE_SETTING, "lots")
    with pytest.raises(ValueError, match="GiB"):
        residency.setting_bytes(residency.DEVICE_SETTING)
    assert residency.cap(None, 5) == 5 and residency.cap(3, 5) == 3
    assert residency.cap(None, None) is None
