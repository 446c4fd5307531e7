"""The ``generation`` field every generated sample carries: exactly how it was
made. Never holds an API key."""

from datetime import datetime, timezone

PLUGIN_VERSION = "0.1.0"


def record(item, offset, output, *, latency_s, run_id):
    """The provenance document of output ``offset`` of work item ``item``."""
    import fiftyone as fo

    choice = item.choice
    model, backend, options = choice.model, choice.backend, choice.options
    seed = output.seed if output.seed is not None else item.seed_of(offset)
    return fo.DynamicEmbeddedDocument(
        model=model.id,
        model_label=model.label,
        task=model.task,
        backend=backend.kind,
        provider_ref=output.provider_ref or backend.ref,
        request_id=output.request_id,
        prompt=item.prompt,
        negative_prompt=options.get("negative_prompt"),
        seed=seed,
        params={k: v for k, v in options.items() if k != "negative_prompt"},
        revised_prompt=output.revised_prompt,
        latency_s=round(latency_s, 3),
        created_at=datetime.now(timezone.utc),
        run_id=run_id,
        index=item.first_index + offset,
        item_key=item.output_key(offset),
        compare_key=item.compare_key(offset),
        plugin_version=PLUGIN_VERSION,
        **output.extra,
    )
