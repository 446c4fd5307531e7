"""The plan: work items, seeds, shards and the resume key."""

from tests.unit.conftest import module

plan_module = module("core.plan")
parse = module("core.request").parse


def choices(all_keys, **params):
    request = parse("txt2img", {"prompt": "x", **params}, all_keys)
    assert request.valid, request.errors
    return request.choices


def test_outputs_split_into_backend_calls_with_consecutive_seeds(all_keys):
    (hosted,) = choices(all_keys, models=["sdxl"], num_images=6,
                        options={"sdxl": {"backend": "replicate"}})
    items = plan_module.plan([hosted], ["a", "b"], seed=10)
    # Replicate's max_batch 4: 4 + 2 outputs per prompt
    assert [(i.prompt, i.first_index, i.job.count, i.job.seed) for i in items] == [
        ("a", 0, 4, 10), ("a", 4, 2, 14), ("b", 0, 4, 10), ("b", 4, 2, 14)]
    assert plan_module.count_outputs(items) == 12


def test_what_a_backend_does_not_take_is_left_out_once(all_keys):
    (gpt,) = choices(all_keys, models=["gpt-image-2"])
    (item,) = plan_module.plan([gpt], ["a cat"], seed=3)
    assert item.job.seed is None and item.base_seed is None
    assert item.run_seed == 3  # still compared with the other models' seed-3 outputs
    svd = parse("img2video", {"models": ["svd-xt"], "prompt": "pan left",
                              "options": {"svd-xt": {"backend": "replicate"}}},
                all_keys, prompt="optional").choices
    source = plan_module.Source("id1", "/tmp/a.png")
    (video,) = plan_module.plan(svd, ["pan left"], [source], seed=1)
    assert video.job.prompt is None and video.prompt == "pan left"
    assert video.job.source_path == "/tmp/a.png"


def test_the_resume_key_is_stable_and_tells_outputs_apart(all_keys):
    (sdxl,) = choices(all_keys, models=["sdxl"], num_images=2)
    items = plan_module.plan([sdxl], ["a", "b"], seed=1)
    again = plan_module.plan(choices(all_keys, models=["sdxl"], num_images=2),
                             ["a", "b"], seed=1)
    keys = [i.output_key(k) for i in items for k in range(i.job.count)]
    assert keys == [i.output_key(k) for i in again for k in range(i.job.count)]
    assert len(set(keys)) == 4
    other_seed = plan_module.plan([sdxl], ["a"], seed=2)[0]
    assert other_seed.output_key(0) != items[0].output_key(0)
    # outputs of one prompt, seed and index share a compare key across models
    (gpt,) = choices(all_keys, models=["gpt-image-2"])
    assert plan_module.plan([gpt], ["a"], seed=1)[0].compare_key(0) == items[0].compare_key(0)


def test_a_resumed_run_makes_only_what_is_missing(all_keys):
    (local,) = choices(all_keys, models=["sdxl"], num_images=4,
                       options={"sdxl": {"backend": "diffusers"}})
    (item,) = plan_module.plan([local], ["a"], seed=7)
    done = {item.output_key(0), item.output_key(2)}
    kept, skipped = plan_module.without_existing([item], done)
    assert skipped == 2
    assert [(k.first_index, k.job.count, k.job.seed) for k in kept] == [(1, 1, 8), (3, 1, 10)]
    # the key of a re-planned output is the key the first run recorded
    assert [k.output_key(0) for k in kept] == [item.output_key(1), item.output_key(3)]


def test_shards_partition_the_plan(all_keys):
    (sdxl,) = choices(all_keys, models=["sdxl"])
    items = plan_module.plan([sdxl], [f"p{i}" for i in range(7)], seed=1)
    shards = [plan_module.shard(items, i, 3) for i in range(3)]
    assert sorted(i.prompt for s in shards for i in s) == sorted(i.prompt for i in items)
    assert [len(s) for s in shards] == [3, 2, 2]
