"""Text -> image -> 3D: any text-to-image model of the catalog, then any
image-to-3D model, as one txt2mesh model.

Today's image-to-3D models (Stable Fast 3D, TRELLIS, Hunyuan3D) make far
better meshes from a clean picture of one object than text-to-3D models make
from words, so this chain is usually the best way from a prompt to a mesh.
The intermediate image is kept with the result (the ``image`` slice).

Which two models, where each runs and their own options are options of the
chain model itself (``image_model``, ``image_backend``, ``image_options``,
``mesh_model``...), resolved from the catalog when the run starts and checked
by the same catalog validation as any model's options.
"""

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..core import catalog, media
from ..core.backends.base import Backend, GenerationError, Job
from ..core.params import PLAN_OPTIONS
from ..core.pricing import combined
from ..core.request import default_backend
from ..core.retry import with_retries

AUTO = "auto"
STEPS = (("image", "txt2img"), ("mesh", "img2mesh"))


@dataclass
class Step:
    """One model of the chain as configured for a run."""

    model: object
    backend: object
    options: dict


def resolve(options, secrets, check_ready=True):
    """The chain's two steps from its options. Returns ``(steps, errors)``:
    ``steps`` maps ``image``/``mesh`` to :class:`Step`; ``errors`` maps the
    chain option at fault to a message saying what to fix."""
    steps, errors = {}, {}
    for role, task in STEPS:
        try:
            model = catalog.get(options.get(f"{role}_model"), task)
        except ValueError as e:
            errors[f"{role}_model"] = str(e)
            continue
        if model.retired:
            errors[f"{role}_model"] = model.retirement_message()
            continue
        kind = options.get(f"{role}_backend") or AUTO
        try:
            backend = default_backend(model, secrets) if kind == AUTO else model.backend(kind)
        except ValueError as e:
            errors[f"{role}_backend"] = str(e)
            continue
        fixes = backend.missing(secrets) if check_ready else []
        if fixes:  # and go on: the form flags every problem at once
            errors[f"{role}_backend"] = (
                f"{backend.label} cannot run {model.label} yet: " + "; ".join(fixes))
        # a dict: the catalog's validation turned the form's JSON text into one
        own = dict(options.get(f"{role}_options") or {})
        shared = [name for name in own if name in PLAN_OPTIONS]
        if shared:
            errors[f"{role}_options"] = (
                f"{', '.join(shared)} is set once for the run, not per step")
            continue
        clean, problems = catalog.validate_options(model, backend.kind, own)
        if problems:
            errors[f"{role}_options"] = f"{model.id}: " + "; ".join(problems.values())
            continue
        for name in PLAN_OPTIONS:
            clean.pop(name, None)
        steps[role] = Step(model, backend, clean)
    return steps, errors


@dataclass
class Chain(Backend):
    """Runs a txt2img model, then an img2mesh model on its image."""

    kind = "chain"
    label = "Image model, then 3D model"
    concurrency = 4
    # its output costs what its hosted steps cost (core.pricing.combined)
    priced_by_steps = True

    @property
    def ref(self):
        return "txt2img -> img2mesh"

    def check(self, options, secrets, check_ready=True):
        """Problems with the chain's options, by option name (for the form)."""
        return resolve(options, secrets, check_ready)[1]

    def packs(self, options, secrets):
        """A chain with a local step runs in the local lane, where all its
        items go step by step (:meth:`generate_many`): two local models then
        each load once, instead of taking turns for every prompt."""
        steps, errors = resolve(options, secrets, check_ready=False)
        return not errors and any(step.backend.packs_inputs for step in steps.values())

    def generate(self, job, secrets):
        (_job, outputs, error), = self.generate_many([job], secrets)
        if error is not None:
            raise error
        return outputs

    def generate_many(self, jobs, secrets):
        """Every job's image first, then every mesh: each step's model runs
        all its inputs in a row (packed into pipeline calls when local).
        Yields ``(job, [mesh], error)`` as each job's mesh is done."""
        if not jobs:
            return
        steps, errors = resolve(jobs[0].options, secrets)
        if errors:
            error = GenerationError("; ".join(f"{k}: {v}" for k, v in errors.items()))
            for job in jobs:
                yield job, [], error
            return
        image_step, mesh_step = steps["image"], steps["mesh"]
        prompts = {id(job): (job.prompt or "") + (job.options.get("image_prompt_suffix") or "")
                   for job in jobs}
        image_jobs = {id(job): Job(
            model=image_step.model, prompt=prompts[id(job)], options=image_step.options,
            seed=job.seed if image_step.backend.takes_seed else None, count=1,
            timeout_s=job.timeout_s, cancelled=job.cancelled) for job in jobs}
        images = {}
        for job, (image, error) in zip(jobs, _run_all(image_step, [image_jobs[id(j)] for j in jobs],
                                                       secrets)):
            if error is None:
                try:
                    media.image_info(image.data)
                except ValueError as e:
                    error = GenerationError(f"image step ({image_step.model.id}): {e}")
            if error is not None:
                yield job, [], error
            else:
                images[id(job)] = image
        imaged = [job for job in jobs if id(job) in images]
        with tempfile.TemporaryDirectory(prefix="multigen-chain-") as folder:
            mesh_jobs = []
            for n, job in enumerate(imaged):
                image = images[id(job)]
                path = os.path.join(folder, f"image-{n}.{image.ext}")
                with open(path, "wb") as f:
                    f.write(image.data)
                mesh_jobs.append(Job(
                    model=mesh_step.model, options=mesh_step.options,
                    seed=job.seed if mesh_step.backend.takes_seed else None, count=1,
                    source_path=path, timeout_s=job.timeout_s, cancelled=job.cancelled))
            for job, (mesh, error) in zip(imaged, _run_all(mesh_step, mesh_jobs, secrets)):
                if error is not None:
                    yield job, [], error
                else:
                    yield job, [_joined(job, prompts[id(job)], steps, images[id(job)],
                                        mesh)], None


def _joined(job, prompt, steps, image, mesh):
    """The chain's output: the mesh, carrying its image and what each step
    did."""
    image_step, mesh_step = steps["image"], steps["mesh"]
    image_ref = image.provider_ref or image_step.backend.ref
    mesh_ref = mesh.provider_ref or mesh_step.backend.ref
    mesh.companions["image"] = image
    mesh.cost = combined([("image", image_step.backend, image_step.options, image),
                          ("mesh", mesh_step.backend, mesh_step.options, mesh)])
    # the chain's time for this output: both steps' (a packed step reports
    # its share of each pipeline call)
    mesh.latency_s = (image.latency_s or 0.0) + (mesh.latency_s or 0.0)
    mesh.provider_ref = f"{image_ref} -> {mesh_ref}"
    mesh.seed = job.seed
    mesh.extra.update(
        image_prompt=prompt,
        image_backend=image_step.backend.kind,
        image_provider_ref=image_ref,
        image_request_id=image.request_id,
        image_seed=image.seed if image.seed is not None else (
            job.seed if image_step.backend.takes_seed else None),
        mesh_backend=mesh_step.backend.kind,
        mesh_provider_ref=mesh_ref,
        mesh_request_id=mesh.request_id,
    )
    return mesh


def _run_all(step, jobs, secrets):
    """``(output, error)`` for each of ``jobs`` (one output each), in order,
    as they finish: a local step packs them into pipeline calls; a hosted
    one sends them side by side, as many as its provider allows at once."""
    if step.backend.packs_inputs:
        results = {id(job): (outputs, error)
                   for job, outputs, error in step.backend.generate_many(jobs, secrets)}
        for job in jobs:
            outputs, error = results.get(id(job), ([], GenerationError("not run")))
            if outputs:
                yield outputs[0], None
            else:
                yield None, _named(step, error or GenerationError("returned nothing"))
        return
    with ThreadPoolExecutor(max(1, step.backend.concurrency)) as pool:
        futures = [pool.submit(_run_safely, step, job, secrets) for job in jobs]
        for future in futures:
            yield future.result()


def _run_safely(step, job, secrets):
    started = time.perf_counter()
    try:
        output = _run(step, job, secrets)[0]
    except GenerationError as e:
        return None, e
    if output.latency_s is None:
        output.latency_s = time.perf_counter() - started
    return output, None


def _named(step, error):
    return GenerationError(
        f"{step.model.task} step ({step.model.id} on {step.backend.label}): {error}")


def _run(step, job, secrets):
    """One step with the usual retries; its failure names the step."""
    try:
        outputs = with_retries(lambda: step.backend.generate(job, secrets))
    except GenerationError as e:
        raise _named(step, e) from None
    if not outputs:
        raise GenerationError(f"{step.model.id} returned nothing")
    return outputs
