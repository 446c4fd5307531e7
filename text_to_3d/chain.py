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

    def generate(self, job, secrets):
        steps, errors = resolve(job.options, secrets)
        if errors:
            raise GenerationError("; ".join(f"{k}: {v}" for k, v in errors.items()))
        image_step, mesh_step = steps["image"], steps["mesh"]
        prompt = (job.prompt or "") + (job.options.get("image_prompt_suffix") or "")
        image = _run(image_step, Job(
            model=image_step.model, prompt=prompt, options=image_step.options,
            seed=job.seed if image_step.backend.takes_seed else None, count=1), secrets)[0]
        try:
            media.image_info(image.data)
        except ValueError as e:
            raise GenerationError(f"image step ({image_step.model.id}): {e}") from None
        with tempfile.TemporaryDirectory(prefix="multigen-chain-") as folder:
            path = os.path.join(folder, f"image.{image.ext}")
            with open(path, "wb") as f:
                f.write(image.data)
            mesh = _run(mesh_step, Job(
                model=mesh_step.model, options=mesh_step.options,
                seed=job.seed if mesh_step.backend.takes_seed else None, count=1,
                source_path=path), secrets)[0]
        image_ref = image.provider_ref or image_step.backend.ref
        mesh_ref = mesh.provider_ref or mesh_step.backend.ref
        mesh.companions["image"] = image
        mesh.cost = combined([("image", image_step.backend, image_step.options, image),
                              ("mesh", mesh_step.backend, mesh_step.options, mesh)])
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
        return [mesh]


def _run(step, job, secrets):
    """One step with the usual retries; its failure names the step."""
    try:
        outputs = with_retries(lambda: step.backend.generate(job, secrets))
    except GenerationError as e:
        raise GenerationError(
            f"{step.model.task} step ({step.model.id} on {step.backend.label}): {e}"
        ) from None
    if not outputs:
        raise GenerationError(f"{step.model.id} returned nothing")
    return outputs
