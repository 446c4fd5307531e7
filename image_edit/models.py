"""Image-edit models: each declared once, with every backend that runs it.

Sources for repos, pipelines and inputs: docs/providers-research.md
(section "Image edits": diffusers' pipeline docs and auto-pipeline mappings
in diffusers 0.42; the providers' API references and schema snapshots in
docs/schemas).
"""

from dataclasses import replace

from ..core.backends.replicate_api import per_image_on_page
from ..core.backends.stability_api import API_REFERENCE, credits
from ..core.catalog import Model
from ..core.params import (BOOL, CHOICE, GUIDANCE, INT, NEGATIVE_PROMPT, NUM_IMAGES, STEPS,
                           Param)
from ..text_to_image.models import (GPT_IMAGE_1_MINI, GPT_IMAGE_2, GPT_IMAGE_15,
                                    GPT_IMAGE_SHUTDOWN, GPT_IMAGE_SIZES, output_format)
from .hosted import OpenAIEdit, ReplicateEdit, StabilityEdit
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


# --- OpenAI: POST /v1/images/edits (docs/schemas/openai/images-edits.json) ---------


def gpt_image_edit(generator, sizes, summary, **lifecycle):
    """The edits of OpenAI model ``generator`` (its text-to-image
    declaration). OpenAI prices a model's tokens whatever the endpoint, so an
    edit's cost is reported from its usage at the model's token prices; the
    per-image table prices generated images only (an edit adds its source's
    input tokens), so edits are not estimated from it."""
    model_name = generator.id
    price = replace(generator.backends[0].price, per_image={})
    return Model(
        f"{model_name}-edit", f"{model_name} (edits)", TASK, summary=summary, **lifecycle,
        backends=(OpenAIEdit(model_name=model_name, needs_prompt=True, price=price),),
        params=(
            mode_param(INSTRUCT, INPAINT), *MASK_OPTIONS,
            Param("size", CHOICE, default="auto", choices=sizes,
                  help="Output size (auto lets the model pick); labels are copied only "
                  "when the edit has the source's size"),
            Param("quality", CHOICE, default="auto", choices=("auto", "low", "medium", "high"),
                  help="Higher is slower and costs more"),
            Param("background", CHOICE, default="auto", choices=("auto", "opaque", "transparent"),
                  help="Transparent needs png or webp"),
            output_format(),
            NUM_IMAGES.with_(max=10),
        ),
    )


GPT_IMAGE_2_EDIT = gpt_image_edit(
    GPT_IMAGE_2,
    GPT_IMAGE_SIZES + ("2048x2048", "2048x1152", "1152x2048", "3840x2160", "2160x3840"),
    "OpenAI's current image model editing by instruction, or inside a mask")
GPT_IMAGE_15_EDIT = gpt_image_edit(GPT_IMAGE_15, GPT_IMAGE_SIZES,
                                   "OpenAI image edits", **GPT_IMAGE_SHUTDOWN)
GPT_IMAGE_1_MINI_EDIT = gpt_image_edit(GPT_IMAGE_1_MINI, GPT_IMAGE_SIZES,
                                       "Cheaper OpenAI image edits", **GPT_IMAGE_SHUTDOWN)

# --- Stability AI: stable-image/edit/* (docs/schemas/stability/stable-image-edit-*) -

STYLE_PRESET = Param("style_preset", CHOICE, choices=(
    "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance",
    "fantasy-art", "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk",
    "origami", "photographic", "pixel-art", "tile-texture"), help="A style to steer towards")


# 5 credits per successful edit on each of the four endpoints, as their API
# reference states (docs/providers-research.md section 11)
STABILITY_EDIT_PRICE = credits(5, source=API_REFERENCE)


def grow_mask(default):
    return Param("grow_mask", INT, default=default, min=0, max=20, label="Grow mask (px)",
                 help="Stability grows the mask's edges by this many pixels, smoothing them")


STABILITY_INPAINT = Model(
    "stability-inpaint", "Stable Image Inpaint", TASK,
    summary="Stability AI repaints the mask from the labels with what the prompt says",
    backends=(StabilityEdit(endpoint="stable-image/edit/inpaint", needs_prompt=True,
                            price=STABILITY_EDIT_PRICE),),
    params=(mode_param(INPAINT), *MASK_OPTIONS, NEGATIVE_PROMPT, grow_mask(5),
            STYLE_PRESET, output_format()),
)
STABILITY_SEARCH_REPLACE = Model(
    "stability-search-replace", "Stable Image Search and Replace", TASK,
    summary="Stability AI finds the chosen classes by name and replaces them with the prompt",
    backends=(StabilityEdit(endpoint="stable-image/edit/search-and-replace", needs_prompt=True,
                            sends_mask=False, search_field="search_prompt",
                            price=STABILITY_EDIT_PRICE),),
    params=(mode_param(INPAINT), *MASK_OPTIONS, NEGATIVE_PROMPT, grow_mask(3),
            STYLE_PRESET, output_format()),
)
STABILITY_SEARCH_RECOLOR = Model(
    "stability-search-recolor", "Stable Image Search and Recolor", TASK,
    summary="Stability AI finds the chosen classes by name and recolours them as the prompt says",
    backends=(StabilityEdit(endpoint="stable-image/edit/search-and-recolor",
                            needs_prompt=True, sends_mask=False,
                            search_field="select_prompt", price=STABILITY_EDIT_PRICE),),
    params=(mode_param(INPAINT), *MASK_OPTIONS, NEGATIVE_PROMPT, grow_mask(3),
            STYLE_PRESET, output_format()),
)
STABILITY_ERASE = Model(
    "stability-erase", "Stable Image Erase", TASK,
    summary="Stability AI removes what the mask covers and fills in the background",
    backends=(StabilityEdit(endpoint="stable-image/edit/erase", takes_prompt=False,
                            price=STABILITY_EDIT_PRICE),),
    params=(mode_param(INPAINT), *MASK_OPTIONS, grow_mask(5), output_format()),
)

# --- Replicate: instruction editors (docs/schemas/replicate) ----------------------

REPLICATE_ASPECTS = ("match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3",
                     "4:5", "5:4", "21:9", "9:21", "2:1", "1:2")

KONTEXT_PRO_REF = "black-forest-labs/flux-kontext-pro"
FLUX_KONTEXT_PRO = Model(
    "flux-kontext-pro", "FLUX.1 Kontext [pro]", TASK,
    summary="Black Forest Labs' hosted instruction editor (Replicate)",
    backends=(ReplicateEdit(model_ref=KONTEXT_PRO_REF, image_field="input_image",
                            needs_prompt=True,
                            price=per_image_on_page(0.04, KONTEXT_PRO_REF)),),
    params=(
        mode_param(INSTRUCT),
        Param("aspect_ratio", CHOICE, default="match_input_image", choices=REPLICATE_ASPECTS,
              help="match_input_image keeps the source's aspect"),
        output_format(("png", "jpg"), default="png"),
        # 0-6 in the schema, but "2 is currently the maximum allowed when
        # input images are used" (its description): an edit always has one
        Param("safety_tolerance", INT, default=2, min=0, max=2,
              help="0 is the strictest; 2 the most permissive with an input image"),
        Param("prompt_upsampling", BOOL, default=False, help="Let the model rewrite the prompt"),
    ),
)
NANO_BANANA = Model(
    "nano-banana", "Nano Banana (Gemini 2.5 Flash Image)", TASK,
    summary="Google's instruction image editor (Replicate)",
    backends=(ReplicateEdit(model_ref="google/nano-banana", images_field="image_input",
                            needs_prompt=True, takes_seed=False,
                            price=per_image_on_page(0.039, "google/nano-banana")),),
    params=(
        mode_param(INSTRUCT),
        Param("aspect_ratio", CHOICE, default="match_input_image", choices=(
            "match_input_image", "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16",
            "16:9", "21:9"), help="match_input_image keeps the source's aspect"),
        output_format(("jpg", "png"), default="jpg"),
    ),
)

MODELS = (SD15_EDIT, SDXL_EDIT, FLUX_KONTEXT_DEV, GPT_IMAGE_2_EDIT, GPT_IMAGE_15_EDIT,
          GPT_IMAGE_1_MINI_EDIT, STABILITY_INPAINT, STABILITY_SEARCH_REPLACE,
          STABILITY_SEARCH_RECOLOR, STABILITY_ERASE, FLUX_KONTEXT_PRO, NANO_BANANA)
