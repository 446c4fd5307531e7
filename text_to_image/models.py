"""Text-to-image models: each declared once, with every backend that runs it.

Sources for refs, versions and inputs: docs/providers-research.md (provider
API references and the older FiftyOne text-to-image plugin).
"""

from ..core.backends.openai_api import OpenAIImages
from ..core.backends.replicate_api import (Replicate, on_hardware, per_image_on_page,
                                           per_output)
from ..core.backends.stability_api import API_REFERENCE, Stability, credits
from ..core.catalog import RETIRED, Model
from ..core.pricing import Tokens
from ..core.params import (
    BOOL, CHOICE, FLOAT, GUIDANCE, INT, NEGATIVE_PROMPT, NUM_IMAGES, STEPS, Param,
    sized, sized_choices,
)
from .local import DiffusersImage
from .recipes import Kandinsky22, SDXLLightning

TASK = "txt2img"
LOCAL, REPLICATE = ("diffusers",), ("replicate",)

# Prices: dated, with their source (docs/providers-research.md section 11).
# A hosted model not priced here has no confirmed price: its cost is unknown.
CHECKED = "2026-11-29"
OPENAI_PRICING = "https://developers.openai.com/api/docs/pricing"

ASPECT_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "9:16", "9:21")
FLUX_ASPECT_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4",
                      "4:3", "9:16", "9:21")


def aspect_ratio(choices=ASPECT_RATIOS, backends=()):
    return Param("aspect_ratio", CHOICE, default="1:1", choices=choices,
                 help="Shape of the image", backends=backends)


def output_format(choices=("png", "jpeg", "webp"), default="png", backends=()):
    return Param("output_format", CHOICE, default=default, choices=choices,
                 help="File format of the image", backends=backends)


def replicate_sd(ref, max_batch=4, price=None, **fields):
    """Replicate's SD-family cogs take the standard names, and ``num_outputs``.
    ``price``: the hardware the model page says it runs on, where confirmed."""
    return Replicate(model_ref=ref, batch_field="num_outputs", max_batch=max_batch,
                     fields=fields, price=price)


def guidance(local, replicate, **common):
    """``guidance_scale`` where Replicate's cog takes another range than the
    local pipeline (docs/schemas/replicate): one option per backend."""
    return (GUIDANCE.with_(**common, **local, backends=LOCAL),
            GUIDANCE.with_(**common, **replicate, backends=REPLICATE))


SD15 = Model(
    "sd15", "Stable Diffusion 1.5", TASK,
    summary="The classic 512px latent diffusion model (local)",
    backends=(
        DiffusersImage(repo="stable-diffusion-v1-5/stable-diffusion-v1-5",
                  pipeline="StableDiffusionPipeline", variant="fp16"),
    ),
    params=(*sized(512, max=1024), STEPS.with_(default=50), GUIDANCE,
            NEGATIVE_PROMPT),
)

SD21 = Model(
    "sd21", "Stable Diffusion 2.1", TASK,
    summary="768px SD 2.1, the older plugin's hosted 'Stable Diffusion'",
    backends=(
        replicate_sd("stability-ai/stable-diffusion:ac732df83cea7fff18b8472768c88ad041fa750ff7682a21affe81863cbe77e4"),
    ),
    params=(*sized(768, min=128, max=1024, multiple_of=64), STEPS.with_(default=50),
            GUIDANCE.with_(min=1.0, max=20.0), NEGATIVE_PROMPT),
)

SDXL = Model(
    "sdxl", "Stable Diffusion XL", TASK,
    summary="SDXL base 1.0, 1024px",
    backends=(
        DiffusersImage(repo="stabilityai/stable-diffusion-xl-base-1.0",
                  pipeline="StableDiffusionXLPipeline", variant="fp16"),
        # its model page: "This model runs on Nvidia A40 (Large) GPU hardware"
        replicate_sd("stability-ai/sdxl:7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc",
                     price=on_hardware("gpu-a40-large")),
    ),
    params=(*sized(1024), STEPS, *guidance({}, dict(min=1.0, max=50.0)),
            NEGATIVE_PROMPT),
)

SDXL_TURBO = Model(
    "sdxl-turbo", "SDXL-Turbo", TASK,
    summary="Distilled SDXL: an image in 1-4 steps without guidance (local only)",
    backends=(
        DiffusersImage(repo="stabilityai/sdxl-turbo", pipeline="StableDiffusionXLPipeline",
                  variant="fp16"),
    ),
    params=(*sized(512, max=1024), STEPS.with_(default=1, max=4),
            GUIDANCE.with_(default=0.0, max=2.0)),
)

SDXL_LIGHTNING = Model(
    "sdxl-lightning", "SDXL-Lightning (4-step)", TASK,
    summary="ByteDance's 4-step distilled SDXL",
    backends=(
        SDXLLightning(repo="stabilityai/stable-diffusion-xl-base-1.0",
                      pipeline="StableDiffusionXLPipeline", variant="fp16",
                      unet_repo="ByteDance/SDXL-Lightning",
                      unet_file="sdxl_lightning_4step_unet.safetensors",
                      call_args={"num_inference_steps": 4, "guidance_scale": 0.0}),
        replicate_sd("bytedance/sdxl-lightning-4step:5599ed30703defd1d160a25a63321b4dec97101d98b4674bcc56e41f62f35637"),
    ),
    # guidance 0 (the distilled steps): a negative prompt would do nothing
    params=(*sized(1024, max=1280, backends=LOCAL),
            *sized(1024, min=256, max=1280, backends=REPLICATE)),
)

SSD_1B = Model(
    "ssd-1b", "Segmind SSD-1B", TASK,
    summary="A 50% smaller, 60% faster distilled SDXL",
    backends=(
        DiffusersImage(repo="segmind/SSD-1B", pipeline="StableDiffusionXLPipeline",
                  variant="fp16"),
        replicate_sd("lucataco/ssd-1b:b19e3639452c59ce8295b82aba70a231404cb062f2eb580ea894b31e8ce5bbb6"),
    ),
    params=(*sized(1024), STEPS.with_(default=25), *guidance({}, dict(min=1.0, max=50.0)),
            NEGATIVE_PROMPT),
)

KANDINSKY_SIZES = (384, 512, 576, 640, 704, 768, 960, 1024, 1152, 1280, 1536, 1792, 2048)

KANDINSKY_22 = Model(
    "kandinsky-2.2", "Kandinsky 2.2", TASK,
    summary="Prior + decoder diffusion with CLIP image embeddings",
    backends=(
        Kandinsky22(repo="kandinsky-community/kandinsky-2-2-decoder",
                    prior_repo="kandinsky-community/kandinsky-2-2-prior",
                    pipeline="KandinskyV22Pipeline"),
        replicate_sd("ai-forever/kandinsky-2.2:ad9d7879fbffa2874e1d909d1d37d9bc682889cc65b31f7bb00d2362619f194a",
                     prior_num_inference_steps="num_inference_steps_prior"),
    ),
    # the decoder works in multiples of 64 and rounds other sizes up; the
    # Replicate cog takes only its listed sizes
    params=(*sized(512, max=2048, multiple_of=64, backends=LOCAL),
            *sized_choices(512, KANDINSKY_SIZES, backends=REPLICATE),
            STEPS.with_(default=50),
            GUIDANCE.with_(default=4.0, backends=("diffusers",)),
            Param("prior_num_inference_steps", INT, default=25, min=1, max=100,
                  label="Prior steps", help="Denoising steps of the prior"),
            NEGATIVE_PROMPT),
)

PLAYGROUND_25 = Model(
    "playground-v2.5", "Playground v2.5", TASK,
    summary="Aesthetic SDXL-architecture model, 1024px",
    backends=(
        DiffusersImage(repo="playgroundai/playground-v2.5-1024px-aesthetic",
                  pipeline="StableDiffusionXLPipeline", variant="fp16"),
        replicate_sd("playgroundai/playground-v2.5-1024px-aesthetic:a45f82a1382bed5c7aeb861dac7c7d191b0fdf74d8d57c4a0e6ed7d4d0bf7d24"),
    ),
    params=(*sized(1024, max=1536, backends=LOCAL),
            *sized(1024, min=256, max=1536, backends=REPLICATE),
            STEPS.with_(default=50, max=60),
            *guidance({}, dict(min=0.1), default=3.0, max=20.0), NEGATIVE_PROMPT),
)

# The default for a newcomer with no key and no GPU (the operator's
# ``cpu_default_model``): one step, no guidance, a tiny image decoder, a
# permissive licence (model card, docs/providers-research.md "SDXS")
SDXS = Model(
    "sdxs", "SDXS-512 (one step, CPU-friendly)", TASK,
    summary="One-step distilled SD 2.1-base with a tiny decoder, 512px: an image in "
    "seconds on a CPU (licence: openrail++)",
    backends=(
        # the model card runs it with 1 step and guidance 0, and nothing else
        DiffusersImage(repo="IDKiro/sdxs-512-0.9", pipeline="StableDiffusionPipeline",
                       call_args={"num_inference_steps": 1, "guidance_scale": 0.0},
                       made_for_cpu=True),
    ),
    params=(*sized(512, max=1024),),
)

LCM = Model(
    "lcm", "Latent Consistency (Dreamshaper v7)", TASK,
    summary="Latent consistency model: good images in 4-8 steps",
    backends=(
        DiffusersImage(repo="SimianLuo/LCM_Dreamshaper_v7",
                  pipeline="LatentConsistencyModelPipeline"),
        Replicate(model_ref="luosiallen/latent-consistency-model:553803fd018b3cf875a8bc774c99da9b33f36647badfd88a6eec90d61c5f62fc",
                  batch_field="num_images", max_batch=4),
    ),
    params=(*sized(768, max=1024), STEPS.with_(default=4, max=50),
            GUIDANCE.with_(default=8.0, min=1.0, max=20.0)),
)

VQGAN_CLIP = Model(
    "vqgan-clip", "VQGAN-CLIP (feed-forward)", TASK,
    summary="Feed-forward VQGAN-CLIP, 256px (hosted only)",
    backends=(
        Replicate(model_ref="mehdidc/feed_forward_vqgan_clip:28b5242dadb5503688e17738aaee48f5f7f5c0b6e56493d7cf55f74d02f144d8"),
    ),
    params=(
        Param("grid_size", CHOICE, default="1x1", choices=("1x1", "2x2", "4x4", "8x8"),
              help="Grid of variations in one image"),
        Param("prior", "bool", default=False,
              help="Sample an image embedding with the prior for variety"),
        NUM_IMAGES.with_(max=4),
    ),
)


def sd3_local(repo):
    return DiffusersImage(repo=repo, pipeline="StableDiffusion3Pipeline",
                     gpu_dtype="bfloat16", gated=True)


def stability_sd3(model_name, price=None):
    """``price``: Stability's published price; None where it was not found
    (the cost is then unknown, never guessed)."""
    return Stability(endpoint="stable-image/generate/sd3", model_name=model_name,
                     fixed={"mode": "text-to-image"},
                     price=price)


def sd35_params(steps, guidance, cfg_scale):
    return (
        *sized(1024, max=1536, backends=("diffusers",)),
        STEPS.with_(default=steps, max=50, backends=("diffusers",)),
        GUIDANCE.with_(default=guidance, max=10.0, backends=("diffusers",)),
        Param("cfg_scale", FLOAT, default=cfg_scale, min=1.0, max=10.0,
              help="How strongly the image follows the prompt",
              backends=("stability",)),
        aspect_ratio(backends=("stability",)),
        output_format(("png", "jpeg"), backends=("stability",)),
        NEGATIVE_PROMPT,
    )


SD35_FLASH = Model(
    "sd3.5-flash", "Stable Diffusion 3.5 Flash", TASK,
    summary="SD 3.5 distilled for few steps: the fastest, cheapest SD 3.5 (Stability API)",
    backends=(stability_sd3("sd3.5-flash", credits(2.5, source=API_REFERENCE)),),
    params=(
        # no published default for flash: blank leaves it to Stability
        Param("cfg_scale", FLOAT, min=1.0, max=10.0,
              help="How strongly the image follows the prompt (blank: Stability's default)"),
        aspect_ratio(), output_format(("png", "jpeg")), NEGATIVE_PROMPT,
    ),
)

SD3_MEDIUM = Model(
    "sd3-medium", "Stable Diffusion 3 Medium", TASK,
    summary="The first SD3 release (local); the hosted API moved to SD 3.5",
    backends=(sd3_local("stabilityai/stable-diffusion-3-medium-diffusers"),),
    params=(*sized(1024, max=1536), STEPS.with_(default=28), GUIDANCE.with_(default=7.0),
            NEGATIVE_PROMPT),
)

SD35_LARGE = Model(
    "sd3.5-large", "Stable Diffusion 3.5 Large", TASK,
    summary="8B MMDiT, Stability's strongest open model",
    backends=(stability_sd3("sd3.5-large", credits(6.5)),
              sd3_local("stabilityai/stable-diffusion-3.5-large")),
    params=sd35_params(28, 3.5, 4.0),
)

SD35_LARGE_TURBO = Model(
    "sd3.5-large-turbo", "Stable Diffusion 3.5 Large Turbo", TASK,
    summary="SD 3.5 Large distilled to 4 steps",
    backends=(stability_sd3("sd3.5-large-turbo", credits(4)),
              sd3_local("stabilityai/stable-diffusion-3.5-large-turbo")),
    params=sd35_params(4, 0.0, 1.0),
)

SD35_MEDIUM = Model(
    "sd3.5-medium", "Stable Diffusion 3.5 Medium", TASK,
    summary="2.5B MMDiT-X, runs on consumer GPUs",
    backends=(stability_sd3("sd3.5-medium", credits(3.5)),
              sd3_local("stabilityai/stable-diffusion-3.5-medium")),
    params=sd35_params(40, 4.5, 4.0),
)

STABLE_IMAGE_CORE = Model(
    "stable-image-core", "Stable Image Core", TASK,
    summary="Stability's fast, affordable hosted model",
    backends=(Stability(endpoint="stable-image/generate/core", price=credits(3)),),
    params=(
        aspect_ratio(), output_format(), NEGATIVE_PROMPT,
        Param("style_preset", CHOICE, choices=(
            "3d-model", "analog-film", "anime", "cinematic", "comic-book",
            "digital-art", "enhance", "fantasy-art", "isometric", "line-art",
            "low-poly", "modeling-compound", "neon-punk", "origami",
            "photographic", "pixel-art", "tile-texture"),
            help="Steer the image toward a style (blank for none)"),
    ),
)

STABLE_IMAGE_ULTRA = Model(
    "stable-image-ultra", "Stable Image Ultra", TASK,
    summary="Stability's highest-quality hosted model",
    backends=(Stability(endpoint="stable-image/generate/ultra", price=credits(8)),),
    params=(aspect_ratio(), output_format(), NEGATIVE_PROMPT),
)


def flux_local(repo, gated):
    return DiffusersImage(repo=repo, pipeline="FluxPipeline", gpu_dtype="bfloat16",
                          gated=gated, max_batch=4, working_gib=2.0)


FLUX_REPLICATE_FIELDS = {"guidance_scale": "guidance"}
FLUX_SCHNELL = Model(
    "flux-schnell", "FLUX.1 [schnell]", TASK,
    summary="Black Forest Labs' fast 4-step model (Apache-2.0)",
    backends=(
        Replicate(model_ref="black-forest-labs/flux-schnell", batch_field="num_outputs",
                  max_batch=4, fields=FLUX_REPLICATE_FIELDS, output_ext="webp",
                  price=per_output(0.003)),
        flux_local("black-forest-labs/FLUX.1-schnell", gated=False),
    ),
    params=(
        *sized(1024, max=2048, multiple_of=16, backends=("diffusers",)),
        STEPS.with_(default=4, max=4),
        aspect_ratio(FLUX_ASPECT_RATIOS, backends=("replicate",)),
        output_format(("webp", "jpg", "png"), default="webp", backends=("replicate",)),
        Param("max_sequence_length", INT, default=256, min=64, max=256,
              help="Prompt tokens the T5 encoder reads", backends=("diffusers",)),
    ),
)

FLUX_DEV = Model(
    "flux-dev", "FLUX.1 [dev]", TASK,
    summary="Black Forest Labs' guidance-distilled open model (non-commercial licence)",
    backends=(
        Replicate(model_ref="black-forest-labs/flux-dev", batch_field="num_outputs",
                  max_batch=4, fields=FLUX_REPLICATE_FIELDS, output_ext="webp",
                  price=per_output(0.025)),
        flux_local("black-forest-labs/FLUX.1-dev", gated=True),
    ),
    params=(
        *sized(1024, max=2048, multiple_of=16, backends=("diffusers",)),
        # the guidance-distilled model wants about 50 steps locally (diffusers'
        # FLUX docs); Replicate's cog defaults to 28
        STEPS.with_(default=50, max=50, backends=LOCAL),
        STEPS.with_(default=28, max=50, backends=REPLICATE),
        GUIDANCE.with_(default=3.5, max=10.0),
        aspect_ratio(FLUX_ASPECT_RATIOS, backends=("replicate",)),
        output_format(("webp", "jpg", "png"), default="webp", backends=("replicate",)),
    ),
)


def gpt_image(model_name, sizes, summary, price, **lifecycle):
    return Model(
        model_name, model_name, TASK, summary=summary, **lifecycle,
        backends=(OpenAIImages(model_name=model_name, price=price),),
        params=(
            Param("size", CHOICE, default="1024x1024", choices=sizes,
                  help="Image size (auto lets the model pick)"),
            Param("quality", CHOICE, default="auto",
                  choices=("auto", "low", "medium", "high"),
                  help="Higher is slower and costs more"),
            Param("background", CHOICE, default="auto",
                  choices=("auto", "opaque", "transparent"),
                  help="Transparent needs png or webp"),
            output_format(),
            Param("moderation", CHOICE, default="auto", choices=("auto", "low"),
                  help="Content moderation strictness"),
            NUM_IMAGES.with_(max=10),
        ),
    )


def per_image(low, medium, high):
    """OpenAI's published price of one image by quality, each as
    (1024x1024, 1024x1536, 1536x1024)."""
    sizes = ("1024x1024", "1024x1536", "1536x1024")
    return {(quality, size): price
            for quality, prices in (("low", low), ("medium", medium), ("high", high))
            for size, price in zip(sizes, prices)}


GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
GPT_IMAGE_2 = gpt_image(
    "gpt-image-2",
    GPT_IMAGE_SIZES + ("2048x2048", "2048x1152", "1152x2048", "3840x2160", "2160x3840"),
    "OpenAI's current image model",
    # OpenAI publishes no price per image for it: reported from usage only
    Tokens(text_in=5.0, image_in=8.0, image_out=30.0, checked=CHECKED,
           source=OPENAI_PRICING),
)
# shutdown announced by OpenAI (docs/providers-research.md section 4)
GPT_IMAGE_SHUTDOWN = dict(shutdown_on="2026-12-01", successor="gpt-image-2")
GPT_IMAGE_15 = gpt_image(
    "gpt-image-1.5", GPT_IMAGE_SIZES, "OpenAI image model",
    Tokens(text_in=5.0, image_in=8.0, image_out=32.0, checked=CHECKED,
           source="https://developers.openai.com/api/docs/models/gpt-image-1.5",
           per_image=per_image((0.009, 0.013, 0.013), (0.034, 0.05, 0.05),
                               (0.133, 0.2, 0.2))),
    **GPT_IMAGE_SHUTDOWN)
GPT_IMAGE_1_MINI = gpt_image(
    "gpt-image-1-mini", GPT_IMAGE_SIZES, "Cheaper OpenAI image model",
    Tokens(text_in=2.0, image_in=2.5, image_out=8.0, checked=CHECKED,
           source="https://developers.openai.com/api/docs/models/gpt-image-1-mini",
           per_image=per_image((0.005, 0.006, 0.006), (0.011, 0.015, 0.015),
                               (0.036, 0.052, 0.052))),
    **GPT_IMAGE_SHUTDOWN)


# --- 2025-26 hosted models (Replicate official models, run by name; schemas in
# docs/schemas/replicate, sources in docs/providers-research.md section 12) --------

def replicate_official(ref, output_ext="png", per_image=None, **kwargs):
    """One image per prediction (these models take no ``num_outputs``).
    ``per_image``: the dollars the model page lists per output image, where
    a copy of it was found (docs/providers-research.md section 11)."""
    price = per_image_on_page(per_image, ref) if per_image is not None else None
    return Replicate(model_ref=ref, output_ext=output_ext, price=price, **kwargs)


def safety_tolerance(most):
    return Param("safety_tolerance", INT, default=2, min=1, max=most,
                 help=f"1 is the strictest, {most} the most permissive", backends=REPLICATE)


FLUX_11_PRO_ULTRA = Model(
    "flux-1.1-pro-ultra", "FLUX1.1 [pro] ultra", TASK,
    summary="Black Forest Labs' FLUX1.1 [pro] in ultra and raw modes, up to 4 MP",
    backends=(replicate_official("black-forest-labs/flux-1.1-pro-ultra", "jpg", per_image=0.06),),
    params=(
        aspect_ratio(("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3",
                      "9:16", "9:21")),
        Param("raw", BOOL, default=False, help="Less processed, more natural-looking images"),
        output_format(("jpg", "png"), default="jpg"),
        safety_tolerance(6),
    ),
)

FLUX2_ASPECT_RATIOS = ("1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3")
FLUX2_RESOLUTIONS = ("0.5 MP", "1 MP", "2 MP", "4 MP")


def flux2(model_id, label, ref, summary, *extra):
    """No price declared: Replicate bills FLUX.2 per megapixel of the images
    sent and made (plus a price per run for [pro]), and how it counts an
    image's megapixels is not published, so no flat price is exact
    (docs/providers-research.md section 11)."""
    return Model(
        model_id, label, TASK, summary=summary,
        backends=(replicate_official(ref, "webp", fields={"guidance_scale": "guidance",
                                                         "num_inference_steps": "steps"}),),
        params=(
            aspect_ratio(FLUX2_ASPECT_RATIOS),
            Param("resolution", CHOICE, default="1 MP", choices=FLUX2_RESOLUTIONS,
                  help="Megapixels (the largest image is 2048x2048)"),
            *extra,
            output_format(("webp", "jpg", "png"), default="webp"),
            Param("output_quality", INT, default=80, min=0, max=100,
                  help="JPEG/WebP quality (not used for PNG)"),
            safety_tolerance(5),
        ),
    )


FLUX2_PRO = flux2("flux-2-pro", "FLUX.2 [pro]", "black-forest-labs/flux-2-pro",
                  "Black Forest Labs' FLUX.2 [pro], up to 4 MP")
FLUX2_FLEX = flux2(
    "flux-2-flex", "FLUX.2 [flex]", "black-forest-labs/flux-2-flex",
    "FLUX.2 [flex]: steps and guidance under your control, up to 4 MP",
    STEPS.with_(default=30, max=50), GUIDANCE.with_(default=4.5, min=1.5, max=10.0),
    Param("prompt_upsampling", BOOL, default=True, label="Upsample prompt",
          help="Let the model rewrite the prompt more creatively"),
)

FLUX_11_PRO = Model(
    "flux-1.1-pro", "FLUX1.1 [pro]", TASK,
    summary="Black Forest Labs' FLUX1.1 [pro] (Replicate)",
    backends=(replicate_official("black-forest-labs/flux-1.1-pro", "webp", per_image=0.04),),
    params=(
        aspect_ratio(FLUX2_ASPECT_RATIOS),
        Param("prompt_upsampling", BOOL, default=False, label="Upsample prompt",
              help="Let the model rewrite the prompt more creatively"),
        output_format(("webp", "jpg", "png"), default="webp"),
    ),
)


def imagen4(model_id, label, ref, summary, usd):
    """Google's Imagen 4 tiers share one input schema on Replicate; each is
    billed ``usd`` per output image."""
    return Model(
        model_id, label, TASK, summary=summary,
        backends=(replicate_official(ref, "jpg", per_image=usd, takes_seed=False),),
        params=(
            aspect_ratio(("1:1", "9:16", "16:9", "3:4", "4:3")),
            output_format(("jpg", "png"), default="jpg"),
            Param("safety_filter_level", CHOICE, default="block_only_high",
                  choices=("block_low_and_above", "block_medium_and_above",
                           "block_only_high"),
                  help="How much the safety filter blocks"),
        ),
    )


IMAGEN_4_FAST = imagen4("imagen-4-fast", "Imagen 4 Fast", "google/imagen-4-fast",
                        "Google's Imagen 4, fast tier (Replicate)", 0.02)
IMAGEN_4 = imagen4("imagen-4", "Imagen 4", "google/imagen-4",
                   "Google's Imagen 4, standard tier (Replicate)", 0.04)
IMAGEN_4_ULTRA = imagen4("imagen-4-ultra", "Imagen 4 Ultra", "google/imagen-4-ultra",
                         "Google's Imagen 4, ultra tier: quality over speed (Replicate)",
                         0.06)


def ideogram3(model_id, label, ref, summary, usd):
    """Ideogram 3.0's tiers share one input schema on Replicate; each is
    billed ``usd`` per output image."""
    return Model(
        model_id, label, TASK, summary=summary,
        backends=(replicate_official(ref, per_image=usd),),
        params=(
            aspect_ratio(("1:3", "3:1", "1:2", "2:1", "9:16", "16:9", "10:16", "16:10",
                          "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "1:1")),
            Param("magic_prompt_option", CHOICE, default="Auto",
                  choices=("Auto", "On", "Off"), label="Magic prompt",
                  help="Let Ideogram rewrite the prompt"),
            Param("style_type", CHOICE, default="None",
                  choices=("None", "Auto", "General", "Realistic", "Design"), label="Style"),
        ),
    )


IDEOGRAM_V3_TURBO = ideogram3("ideogram-v3-turbo", "Ideogram 3.0 Turbo",
                              "ideogram-ai/ideogram-v3-turbo",
                              "Ideogram 3.0, turbo tier: strong at text in images (Replicate)",
                              0.03)
IDEOGRAM_V3_BALANCED = ideogram3("ideogram-v3-balanced", "Ideogram 3.0 Balanced",
                                 "ideogram-ai/ideogram-v3-balanced",
                                 "Ideogram 3.0, balanced tier (Replicate)", 0.06)
IDEOGRAM_V3_QUALITY = ideogram3("ideogram-v3-quality", "Ideogram 3.0 Quality",
                                "ideogram-ai/ideogram-v3-quality",
                                "Ideogram 3.0, quality tier (Replicate)", 0.09)

HIDREAM_RESOLUTIONS = ("1024 × 1024 (Square)", "768 × 1360 (Portrait)",
                       "1360 × 768 (Landscape)", "880 × 1168 (Portrait)",
                       "1168 × 880 (Landscape)", "1248 × 832 (Landscape)",
                       "832 × 1248 (Portrait)")


def hidream(model_id, label, ref, summary, *extra):
    return Model(
        model_id, label, TASK, summary=summary,
        backends=(replicate_official(ref, "webp"),),
        params=(
            Param("resolution", CHOICE, default="1024 × 1024 (Square)",
                  choices=HIDREAM_RESOLUTIONS, help="Width x height of the image"),
            *extra,
            output_format(("png", "jpg", "webp"), default="webp"),
        ),
    )


HIDREAM_L1_FULL = hidream("hidream-l1-full", "HiDream-I1 Full", "prunaai/hidream-l1-full",
                          "HiDream-I1, the full 17B model (Replicate, by Pruna AI)")
HIDREAM_L1_DEV = hidream("hidream-l1-dev", "HiDream-I1 Dev", "prunaai/hidream-l1-dev",
                         "HiDream-I1, the distilled dev model (Replicate, by Pruna AI)")
HIDREAM_L1_FAST = hidream("hidream-l1-fast", "HiDream-I1 Fast", "prunaai/hidream-l1-fast",
                          "HiDream-I1, the fastest distilled model (Replicate, by Pruna AI)",
                          NEGATIVE_PROMPT)


RECRAFT_V3 = Model(
    "recraft-v3", "Recraft V3", TASK,
    summary="Recraft's V3 image model with named styles (Replicate)",
    backends=(replicate_official("recraft-ai/recraft-v3", "webp", per_image=0.04,
                                 takes_seed=False),),
    params=(
        Param("size", CHOICE, default="1024x1024",
              choices=("1024x1024", "1365x1024", "1024x1365", "1536x1024", "1024x1536",
                       "1820x1024", "1024x1820", "1024x2048", "2048x1024", "1434x1024",
                       "1024x1434", "1024x1280", "1280x1024", "1024x1707", "1707x1024"),
              help="Width x height of the image"),
        Param("style", CHOICE, default="any",
              choices=("any", "realistic_image", "digital_illustration",
                       "digital_illustration/pixel_art", "digital_illustration/hand_drawn",
                       "digital_illustration/grain", "digital_illustration/infantile_sketch",
                       "digital_illustration/2d_art_poster",
                       "digital_illustration/handmade_3d",
                       "digital_illustration/hand_drawn_outline",
                       "digital_illustration/engraving_color",
                       "digital_illustration/2d_art_poster_2", "realistic_image/b_and_w",
                       "realistic_image/hard_flash", "realistic_image/hdr",
                       "realistic_image/natural_light", "realistic_image/studio_portrait",
                       "realistic_image/enterprise", "realistic_image/motion_blur"),
              help="Recraft's style of the image"),
    ),
)

QWEN_IMAGE = Model(
    "qwen-image", "Qwen-Image", TASK,
    summary="Alibaba Qwen's 20B image model, strong at text rendering (Replicate)",
    backends=(replicate_official("qwen/qwen-image", "webp", per_image=0.025,
                                 fields={"guidance_scale": "guidance"}),),
    params=(
        aspect_ratio(("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")),
        Param("image_size", CHOICE, default="optimize_for_quality",
              choices=("optimize_for_quality", "optimize_for_speed"),
              help="Larger images for quality, smaller for speed"),
        STEPS.with_(default=30, max=50),
        GUIDANCE.with_(default=3.0, max=10.0),
        NEGATIVE_PROMPT,
        Param("go_fast", BOOL, default=True, help="Faster, slightly lower quality"),
        Param("enhance_prompt", BOOL, default=False, help="Let the model expand the prompt"),
        output_format(("webp", "jpg", "png"), default="webp"),
    ),
)

SEEDREAM_4 = Model(
    "seedream-4", "Seedream 4", TASK,
    summary="ByteDance's Seedream 4: up to 4K images (Replicate)",
    # one image a prediction (sequential_image_generation is left at its
    # default, "disabled"): $0.03 whatever the size
    backends=(replicate_official("bytedance/seedream-4", "jpg", per_image=0.03,
                                 takes_seed=False),),
    params=(
        Param("size", CHOICE, default="2K", choices=("1K", "2K", "4K"),
              help="Image resolution"),
        aspect_ratio(("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9")),
        Param("enhance_prompt", BOOL, default=True, help="Let the model expand the prompt"),
    ),
)


def retired_openai(model_id, label, on, successor):
    return Model(model_id, label, TASK, status=RETIRED, retired_on=on,
                 successor=successor, summary=f"Retired by OpenAI on {on}")


DALL_E_2 = retired_openai("dall-e-2", "DALL-E 2", "2026-05-12", "gpt-image-2")
DALL_E_3 = retired_openai("dall-e-3", "DALL-E 3", "2026-05-12", "gpt-image-2")
GPT_IMAGE_1 = retired_openai("gpt-image-1", "gpt-image-1", "2026-10-23", "gpt-image-2")

MODELS = (
    SD15, SD21, SDXL, SDXL_TURBO, SDXL_LIGHTNING, SSD_1B, KANDINSKY_22, PLAYGROUND_25,
    SDXS, LCM, VQGAN_CLIP, SD3_MEDIUM, SD35_LARGE, SD35_LARGE_TURBO, SD35_MEDIUM,
    SD35_FLASH,
    STABLE_IMAGE_CORE, STABLE_IMAGE_ULTRA, FLUX_SCHNELL, FLUX_DEV,
    FLUX_11_PRO, FLUX_11_PRO_ULTRA, FLUX2_PRO, FLUX2_FLEX, IMAGEN_4_FAST, IMAGEN_4,
    IMAGEN_4_ULTRA, IDEOGRAM_V3_TURBO, IDEOGRAM_V3_BALANCED, IDEOGRAM_V3_QUALITY, RECRAFT_V3,
    QWEN_IMAGE, SEEDREAM_4, HIDREAM_L1_FULL, HIDREAM_L1_DEV, HIDREAM_L1_FAST,
    GPT_IMAGE_2, GPT_IMAGE_15, GPT_IMAGE_1_MINI, DALL_E_2, DALL_E_3, GPT_IMAGE_1,
)
