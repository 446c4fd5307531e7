"""The ``generation`` field every generated sample carries: exactly how it was
made. Never holds an API key.

One place makes the record: :func:`record`, in the worker, before the
output's files are written, so the files can carry it too (see
:mod:`core.file_provenance`). What the writer learns while writing (a mesh's
counts, the paths of its files) lands in ``output.extra``; :func:`fields`
joins both, for the file and for the sample alike.
"""

from datetime import datetime, timezone

from .pricing import cost_of

PLUGIN_VERSION = "0.1.0"


def record(item, offset, output, *, latency_s, run_id):
    """The provenance of output ``offset`` of work item ``item``, a plain dict."""
    choice = item.choice
    model, backend, options = choice.model, choice.backend, choice.options
    seed = output.seed if output.seed is not None else item.seed_of(offset)
    values = dict(
        model=model.id,
        model_label=model.label,
        task=model.task,
        backend=backend.kind,
        provider_ref=output.provider_ref or backend.ref,
        request_id=output.request_id,
        prompt=item.prompt,
        negative_prompt=options.get("negative_prompt"),
    )
    if item.expansion is not None:  # made from a template: the slots' values
        values.update(template=item.expansion.template, vars=dict(item.expansion.vars))
    values.update(
        seed=seed,
        params={k: v for k, v in options.items() if k != "negative_prompt"},
        revised_prompt=output.revised_prompt,
        latency_s=round(latency_s, 3),
        # {usd, reported, basis}; None for local runs and unknown prices
        cost=cost_of(item, output),
        created_at=datetime.now(timezone.utc),
        run_id=run_id,
        index=item.first_index + offset,
        item_key=item.output_key(offset),
        compare_key=item.compare_key(offset),
        plugin_version=PLUGIN_VERSION,
    )
    return values


def fields(output):
    """Everything an output's ``generation`` holds: its record and what was
    learnt while writing it."""
    return {**(output.record or {}), **output.extra}


def document(output):
    """``fields(output)`` as the sample's ``generation`` document; the slot
    values and the cost are documents too, so the App filters on
    ``generation.vars.<slot>`` and ``generation.cost.usd``."""
    import fiftyone as fo

    values = fields(output)
    for name in ("vars", "cost"):  # documents, so the App filters on their fields
        if values.get(name) is not None:
            values[name] = fo.DynamicEmbeddedDocument(**values[name])
    return fo.DynamicEmbeddedDocument(**values)
