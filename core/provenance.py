"""The ``generation`` field every generated sample carries: exactly how it was
made. Never holds an API key."""

import hashlib
import json
from datetime import datetime, timezone

PLUGIN_VERSION = "0.1.0"


RUN_LEVEL_OPTIONS = ("seed", "num_images")


def item_key(model_id, backend, prompt, options, seed, index, source=None):
    """A deterministic key of one output: (model, backend, prompt, options,
    seed, index, source). The same request gives the same key, so re-running
    a run can skip what already exists."""
    options = {k: v for k, v in options.items() if k not in RUN_LEVEL_OPTIONS}
    payload = json.dumps(
        [model_id, backend, prompt, options, seed, index, source],
        sort_keys=True, default=str,
    )
    return hashlib.sha1(payload.encode()).hexdigest()


def compare_key(prompt, seed, index, source=None):
    """What outputs of different models for the same input share, so the App
    can show them side by side (``group_by("generation.compare_key")``)."""
    base = source if source is not None else prompt
    return hashlib.sha1(json.dumps([base, seed, index]).encode()).hexdigest()[:16]


def record(*, model, backend, prompt, output, options, base_seed, index,
           latency_s, run_id, source=None, run_seed=None):
    """The provenance document of output ``index`` of one (model, prompt or
    source) item whose run seed is ``base_seed``."""
    import fiftyone as fo

    seed = output.seed if output.seed is not None else base_seed
    options = {k: v for k, v in options.items() if k not in RUN_LEVEL_OPTIONS}
    return fo.DynamicEmbeddedDocument(
        model=model.id,
        model_label=model.label,
        task=model.task,
        backend=backend.kind,
        provider_ref=output.provider_ref or backend.ref,
        request_id=output.request_id,
        prompt=prompt,
        negative_prompt=options.get("negative_prompt"),
        seed=seed,
        params={k: v for k, v in options.items() if k != "negative_prompt"},
        revised_prompt=output.revised_prompt,
        latency_s=round(latency_s, 3),
        created_at=datetime.now(timezone.utc),
        run_id=run_id,
        index=index,
        item_key=item_key(model.id, backend.kind, prompt, options,
                          base_seed, index, source),
        # the run's seed: a model that takes no seed is still compared
        compare_key=compare_key(prompt, base_seed if run_seed is None else run_seed,
                                index, source),
        plugin_version=PLUGIN_VERSION,
        **output.extra,
    )
