"""The Python side of every operator: keyword arguments in, the same
validation as the form, then FiftyOne's own execution (immediate or queued).

``execute`` streams progress to the App as a generator; FiftyOne exhausts a
generator called from Python and drops what it returns. So SDK calls (and the
shards they queue) carry ``RESULT_PARAM``, and ``execute`` then returns the
run's result instead of streaming.
"""

import asyncio
import json

import fiftyone.operators as foo

from . import catalog
from .delegation import require_persistent
from .params import EMBED_PROVENANCE, JSON, MAX_COST, TEMPLATE_PARAMS
from .secrets import resolve_secrets

RESULT_PARAM = "sdk"
# the run's own options, passed by name to every operator's call
RUN_OPTIONS = ("seed", "num_images", "negative_prompt", "output_dir", "prompts_file",
               "prompt_field", "shards", "timeout", "score",
               *(p.name for p in TEMPLATE_PARAMS), EMBED_PROVENANCE.name, MAX_COST.name)


def params_of(model, prompt=None, backend=None, options=None, **run_and_model_options):
    """The form's params for an SDK call: ``model``/``backend``/``options``
    as the SDK takes them, run options (:data:`RUN_OPTIONS`: ``seed``,
    ``num_images``, ``negative_prompt``, ``output_dir``, ``prompts_file``,
    ``prompt_field``, ``shards``, ``timeout``, ``score``, the template options
    ``template_mode``, ``num_prompts``, ``wildcards_dir``,
    ``embed_provenance`` and ``max_cost``) by name, and each model option given to every
    chosen model that has it."""
    run_names = RUN_OPTIONS
    run_options = {k: run_and_model_options.pop(k) for k in run_names
                   if k in run_and_model_options}
    params = _model_params(model, backend, options, run_and_model_options)
    params.update(run_options)
    if prompt is not None and not isinstance(prompt, str):
        prompt = [str(p) for p in prompt]
        # the form holds one prompt per line: a line break would split one in two
        broken = [p for p in prompt if "\n" in p or "\r" in p]
        if broken:
            raise ValueError(f"a prompt of the list holds a line break: {broken[0]!r}; "
                             "pass each prompt as one line")
        prompt = "\n".join(prompt)
    if prompt is not None:
        params["prompt"] = prompt
    return {k: v for k, v in params.items() if v is not None}


def _model_params(model, backend, options, model_options):
    """The ``models`` and per-model ``options`` params."""
    models = [model] if isinstance(model, str) else list(model or [])
    per_model = {}
    for model_id in models:
        own = dict((options or {}).get(model_id, {}))
        kind = backend.get(model_id) if isinstance(backend, dict) else backend
        if kind:
            own["backend"] = kind
        try:
            declared = {p.name: p for p in catalog.get(model_id).all_params}
        except ValueError:
            declared = {}  # request.parse reports the unknown model
        for name, value in model_options.items():
            if name in declared or len(models) == 1:
                own.setdefault(name, value)
        for name, value in own.items():  # the form holds a dict as JSON text
            if isinstance(value, dict) and name in declared and declared[name].type == JSON:
                own[name] = json.dumps(value, sort_keys=True)
        per_model[catalog.form_key(model_id)] = own
    unknown = [name for name in model_options
               if not any(name in own for own in per_model.values())]
    if unknown:
        raise ValueError(f"no chosen model has option(s) {', '.join(unknown)}")
    return {"models": models, "options": per_model}


def call(operator, sample_collection, params, delegate):
    """Validates ``params`` like the form does (raising ``ValueError`` with
    every problem), then executes, immediately or queued for ``fiftyone
    delegated launch``."""
    request = operator.parse(params, resolve_secrets(), view=sample_collection,
                             check_ready=not delegate)
    if not request.valid:
        raise ValueError(request.error_text())
    problem = operator.sources_problem(sample_collection)
    if problem:
        raise ValueError(problem)
    if request.shards > 1:
        if not delegate:
            raise ValueError("shards split a delegated run: pass delegate=True")
        delegate = False  # this call only queues the shards
        require_persistent(sample_collection)
    elif delegate:
        require_persistent(sample_collection)
    ctx = {"view": sample_collection.view(), "params": {**params, RESULT_PARAM: True}}
    result = foo.execute_operator(operator.uri, ctx, request_delegation=delegate)
    if isinstance(result, asyncio.Task):
        # in a running event loop (Jupyter) FiftyOne returns a task whose
        # result carries errors silently: raise them on await, as a plain
        # call raises them
        return asyncio.ensure_future(_raising(result))
    return result


def estimate(operator, sample_collection, params):
    """What a run with ``params`` is expected to cost, checked like
    :func:`call` (raising ``ValueError``) but running nothing:
    ``{"usd", "unknown", "by_model", "outputs"}`` (``unknown``: models whose
    cost cannot be known beforehand; README: Cost)."""
    from .plan import count_outputs, plan
    from .pricing import estimate_items

    request = operator.parse(params, resolve_secrets(), view=sample_collection,
                             check_ready=False)
    if not request.valid:
        raise ValueError(request.error_text())
    sources = operator.count_sources_of(sample_collection)
    items = plan(request.choices, request.prompts or [None], seed=0)
    result = estimate_items(items, sources).to_dict()
    result["outputs"] = sources * count_outputs(items)
    return result


async def _raising(task):
    result = await task
    result.raise_exceptions()
    return result
