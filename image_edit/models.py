"""Image-edit models: each declared once, with every backend that runs it.

Sources for repos, pipelines and inputs: docs/providers-research.md
(section "Image edits": diffusers' pipeline docs and auto-pipeline mappings
in diffusers 0.42; the providers' API references and schema snapshots in
docs/schemas).
"""

from ..core.catalog import Model
from ..core.params import GUIDANCE, NEGATIVE_PROMPT, STEPS
from .local import DiffusersEdit
from .modes import (INPAINT, INSTRUCT, MASK_OPTIONS, STRENGTH, VARIATION,
                    mode_param)

TASK = "imgedit"
LOCAL = ("diffusers",)

# diffusers' auto pipelines pick the img2img / inpainting class from the
# repo's own pipeline (StableDiffusion..., StableDiffusionXL...)
AUTO = {VARIATION: "AutoPipelineForImage2Image", INPAINT: "AutoPipelineForInpainting"}

SD15_EDIT = Model(
    "sd15-edit", "Stable Diffusion 1.5 (img2img, inpainting)", TASK, batched=True,
    summary="Variations and inpainting with SD 1.5 at up to 512x512 working size (local)",
    backends=(
        DiffusersEdit(repo="stable-diffusion-v1-5/stable-diffusion-v1-5", variant="fp16",
                      pipelines=AUTO, max_pixels=512 * 512),
    ),
    params=(mode_param(VARIATION, INPAINT), STRENGTH, *MASK_OPTIONS,
            STEPS.with_(default=50), GUIDANCE, NEGATIVE_PROMPT),
)

SDXL_EDIT = Model(
    "sdxl-edit", "Stable Diffusion XL (img2img, inpainting)", TASK, batched=True,
    summary="Variations and inpainting with SDXL base at up to 1024x1024 (local)",
    backends=(
        DiffusersEdit(repo="stabilityai/stable-diffusion-xl-base-1.0", variant="fp16",
                      pipelines=AUTO, max_pixels=1024 * 1024),
    ),
    params=(mode_param(VARIATION, INPAINT), STRENGTH, *MASK_OPTIONS,
            STEPS.with_(default=30), GUIDANCE.with_(default=5.0), NEGATIVE_PROMPT),
)

FLUX_KONTEXT_DEV = Model(
    "flux-kontext-dev", "FLUX.1 Kontext [dev]", TASK, batched=True,
    summary="Black Forest Labs' 12B instruction editor; inpaints with a mask too (local)",
    backends=(
        DiffusersEdit(repo="black-forest-labs/FLUX.1-Kontext-dev", gpu_dtype="bfloat16",
                      gated=True, max_batch=1, multiple_of=16,
                      pipelines={INSTRUCT: "FluxKontextPipeline",
                                 INPAINT: "FluxKontextInpaintPipeline"}),
    ),
    params=(mode_param(INSTRUCT, INPAINT), STRENGTH, *MASK_OPTIONS,
            STEPS.with_(default=28, max=100), GUIDANCE.with_(default=2.5, max=10.0)),
)

MODELS = (SD15_EDIT, SDXL_EDIT, FLUX_KONTEXT_DEV)
