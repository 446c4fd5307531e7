"""Tiny random-weight text-to-image diffusers pipelines under the real hub repo ids.

Every builder returns a freshly built pipeline whose weights depend only on a fixed seed
(derived from the repo id), so two builds are identical. The architectures mirror the real
repos where it matters to calling code: the same pipeline and component classes, the same
scheduler class and main scheduler settings per repo, the same VAE scale factor (8), latent
channel counts (4 for SD/SDXL/LCM, 16 for SD3/FLUX), ``guidance_embeds`` for FLUX.1-dev,
``time_cond_proj_dim`` for LCM, ``latents_mean``/``latents_std`` for Playground v2.5, the
Kandinsky 2.2 prior/decoder embedding hand-off, and SDXL-Lightning UNet checkpoints that
load into the tiny SDXL base UNet. Default sample sizes are 64 px (instead of 512/1024),
except FLUX whose pipeline hard-codes 1024 px (always pass height/width).

Size rules (same as the real pipelines, VAE scale factor 8):
* SD 1.5, SDXL family, LCM: height/width multiples of 8 give exactly that size.
* SD3 (patch 2) and FLUX (2x2 latent packing): multiples of 16.
* Kandinsky 2.2 decoder: multiples of 64 are exact; other sizes are rounded UP to the next
  multiple of 64 by ``downscale_height_and_width`` (so 64x32 gives 64x64; use 128x64).

Usage::

    from tiny.text_to_image import install_text_to_image
    from tiny.hub_cache import hub_env
    install_text_to_image(cache_dir)                 # all repos, a few seconds
    os.environ.update(hub_env(cache_dir))             # before huggingface_hub is imported
"""

from __future__ import annotations

import contextlib
import string
import zlib
from pathlib import Path
from typing import Callable, Iterable

try:  # works both as ``tiny.text_to_image`` and ``tests.tiny.text_to_image``
    from .hub_cache import save_file_to_hub_cache, save_to_hub_cache
except ImportError:  # pragma: no cover - imported as a top-level module
    from hub_cache import save_file_to_hub_cache, save_to_hub_cache  # type: ignore

__all__ = [
    "BUILDERS",
    "LIGHTNING_FILES",
    "LIGHTNING_REPO",
    "PIPELINE_CLASSES",
    "SDXL_BASE_REPO",
    "TEXT_TO_IMAGE_REPOS",
    "build",
    "build_flux",
    "build_kandinsky22_decoder",
    "build_kandinsky22_prior",
    "build_lcm",
    "build_lightning_unet_state_dict",
    "build_sd15",
    "build_sd3",
    "build_sdxl",
    "clip_tokenizer",
    "install_text_to_image",
    "t5_tokenizer",
]

SDXL_BASE_REPO = "stabilityai/stable-diffusion-xl-base-1.0"
LIGHTNING_REPO = "ByteDance/SDXL-Lightning"
# File names in the real ByteDance/SDXL-Lightning repo (full UNet checkpoints).
LIGHTNING_FILES = (
    "sdxl_lightning_2step_unet.safetensors",
    "sdxl_lightning_4step_unet.safetensors",
    "sdxl_lightning_8step_unet.safetensors",
)

# repo id -> diffusers pipeline class name stored in its model_index.json
# (LIGHTNING_REPO holds UNet weight files only: load SDXL_BASE_REPO and swap the UNet).
PIPELINE_CLASSES = {
    "stable-diffusion-v1-5/stable-diffusion-v1-5": "StableDiffusionPipeline",
    "IDKiro/sdxs-512-0.9": "StableDiffusionPipeline",
    "stabilityai/stable-diffusion-xl-base-1.0": "StableDiffusionXLPipeline",
    "stabilityai/sdxl-turbo": "StableDiffusionXLPipeline",
    "segmind/SSD-1B": "StableDiffusionXLPipeline",
    "playgroundai/playground-v2.5-1024px-aesthetic": "StableDiffusionXLPipeline",
    "SimianLuo/LCM_Dreamshaper_v7": "LatentConsistencyModelPipeline",
    "kandinsky-community/kandinsky-2-2-prior": "KandinskyV22PriorPipeline",
    "kandinsky-community/kandinsky-2-2-decoder": "KandinskyV22Pipeline",
    "stabilityai/stable-diffusion-3-medium-diffusers": "StableDiffusion3Pipeline",
    "stabilityai/stable-diffusion-3.5-large": "StableDiffusion3Pipeline",
    "stabilityai/stable-diffusion-3.5-medium": "StableDiffusion3Pipeline",
    "stabilityai/stable-diffusion-3.5-large-turbo": "StableDiffusion3Pipeline",
    "black-forest-labs/FLUX.1-schnell": "FluxPipeline",
    "black-forest-labs/FLUX.1-dev": "FluxPipeline",
}
TEXT_TO_IMAGE_REPOS = tuple(PIPELINE_CLASSES) + (LIGHTNING_REPO,)

# Tiny dimensions shared by the builders.
CLIP_L_DIM = 32  # stands for CLIP ViT-L (768)
CLIP_G_DIM = 64  # stands for OpenCLIP bigG (1280)
T5_DIM = 128  # stands for T5-XXL (4096); must be >= CLIP_L_DIM + CLIP_G_DIM for SD3
VAE_CHANNELS = (8, 8, 8, 8)  # 4 blocks -> vae_scale_factor 8, like the real VAEs
SAMPLE_SIZE = 8  # latent default -> 64 px default image size


def _seed(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def _seeded(name: str):
    """Deterministic weights for everything created inside, without disturbing global RNG."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_seed(name))
        yield


# --------------------------------------------------------------------------- tokenizers
def clip_tokenizer(model_max_length: int = 77):
    """Byte-level CLIP tokenizer with no merges: 2 specials + 256 bytes + 256 bytes+``</w>``."""
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in chars:
        vocab[c] = len(vocab)
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=model_max_length)


CLIP_VOCAB_SIZE = 2 + 256 + 256


def t5_tokenizer(model_max_length: int = 512):
    """Character-level Unigram T5 tokenizer (``<pad>``=0, ``</s>``=1, ``<unk>``=2), no extra ids."""
    from transformers import T5TokenizerFast

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    for ch in string.ascii_letters + string.digits + string.punctuation:
        vocab.append(("\u2581" + ch, -3.0))
        vocab.append((ch, -4.0))
    return T5TokenizerFast(vocab=vocab, extra_ids=0, model_max_length=model_max_length)


T5_VOCAB_SIZE = 256  # >= len(t5_tokenizer())


# --------------------------------------------------------------------------- text encoders
def _clip_text_config(dim: int, projection_dim: int | None = None):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
        vocab_size=CLIP_VOCAB_SIZE,
        max_position_embeddings=77,
        hidden_size=dim,
        intermediate_size=2 * dim,
        num_attention_heads=4,
        num_hidden_layers=2,  # SDXL/SD3 use hidden_states[-2]
        projection_dim=projection_dim or dim,
        hidden_act="gelu",
        layer_norm_eps=1e-5,
    )


def _clip_text(dim: int, *, projection: bool):
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    cls = CLIPTextModelWithProjection if projection else CLIPTextModel
    return cls(_clip_text_config(dim)).eval()


def _t5_encoder():
    from transformers import T5Config, T5EncoderModel

    config = T5Config(
        vocab_size=T5_VOCAB_SIZE,
        d_model=T5_DIM,
        d_kv=16,
        d_ff=64,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=32,
        feed_forward_proj="gated-gelu",
        is_encoder_decoder=False,
        use_cache=False,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        tie_word_embeddings=False,
    )
    return T5EncoderModel(config).eval()


# --------------------------------------------------------------------------- VAEs
def _vae(latent_channels: int = 4, **config):
    from diffusers import AutoencoderKL

    n = len(VAE_CHANNELS)
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * n,
        up_block_types=("UpDecoderBlock2D",) * n,
        block_out_channels=VAE_CHANNELS,
        layers_per_block=1,
        latent_channels=latent_channels,
        norm_num_groups=4,
        sample_size=SAMPLE_SIZE * 8,
        **config,
    ).eval()


# --------------------------------------------------------------------------- schedulers
_SD_BETAS = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000)


def _scheduler(kind: str):
    import diffusers

    if kind == "pndm":  # stable-diffusion-v1-5
        return diffusers.PNDMScheduler(
            **_SD_BETAS, set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1
        )
    if kind == "euler":  # sdxl base, SSD-1B
        return diffusers.EulerDiscreteScheduler(
            **_SD_BETAS,
            interpolation_type="linear",
            prediction_type="epsilon",
            steps_offset=1,
            timestep_spacing="leading",
            use_karras_sigmas=False,
        )
    if kind == "euler_a_trailing":  # sdxl-turbo
        return diffusers.EulerAncestralDiscreteScheduler(
            **_SD_BETAS, prediction_type="epsilon", steps_offset=1, timestep_spacing="trailing"
        )
    if kind == "edm_dpm":  # playground v2.5
        return diffusers.EDMDPMSolverMultistepScheduler(
            sigma_min=0.002,
            sigma_max=80.0,
            sigma_data=0.5,
            sigma_schedule="karras",
            num_train_timesteps=1000,
            prediction_type="epsilon",
            rho=7.0,
            solver_order=2,
            algorithm_type="dpmsolver++",
            solver_type="midpoint",
            lower_order_final=True,
            euler_at_final=False,
            final_sigmas_type="zero",
        )
    if kind == "lcm":  # LCM_Dreamshaper_v7
        return diffusers.LCMScheduler(
            **_SD_BETAS,
            original_inference_steps=50,
            prediction_type="epsilon",
            set_alpha_to_one=True,
            steps_offset=1,
            timestep_scaling=10.0,
            timestep_spacing="leading",
            clip_sample=False,
        )
    if kind == "unclip":  # kandinsky 2.2 prior
        return diffusers.UnCLIPScheduler(
            variance_type="fixed_small_log",
            prediction_type="sample",
            num_train_timesteps=1000,
            clip_sample=True,
            clip_sample_range=10.0,
        )
    if kind == "ddpm":  # kandinsky 2.2 decoder
        return diffusers.DDPMScheduler(
            beta_start=0.00085,
            beta_end=0.012,
            beta_schedule="linear",
            num_train_timesteps=1000,
            clip_sample=False,
            prediction_type="epsilon",
            steps_offset=1,
            thresholding=False,
            timestep_spacing="leading",
        )
    if kind == "flow_sd3":  # all SD3 / SD3.5 repos
        return diffusers.FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=3.0)
    if kind == "flow_schnell":
        return diffusers.FlowMatchEulerDiscreteScheduler(
            num_train_timesteps=1000,
            shift=1.0,
            use_dynamic_shifting=False,
            base_shift=0.5,
            max_shift=1.15,
            base_image_seq_len=256,
            max_image_seq_len=4096,
        )
    if kind == "flow_dev":
        return diffusers.FlowMatchEulerDiscreteScheduler(
            num_train_timesteps=1000,
            shift=3.0,
            use_dynamic_shifting=True,
            base_shift=0.5,
            max_shift=1.15,
            base_image_seq_len=256,
            max_image_seq_len=4096,
        )
    raise ValueError(f"unknown scheduler kind {kind!r}")


# --------------------------------------------------------------------------- UNets
def _sd_unet(cross_attention_dim: int, time_cond_proj_dim: int | None = None):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=SAMPLE_SIZE,
        in_channels=4,
        out_channels=4,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=cross_attention_dim,
        attention_head_dim=2,
        norm_num_groups=4,
        time_cond_proj_dim=time_cond_proj_dim,
    ).eval()


def _sdxl_unet(transformer_layers_per_block=(1, 2)):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=SAMPLE_SIZE,
        in_channels=4,
        out_channels=4,
        block_out_channels=(16, 32),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        transformer_layers_per_block=transformer_layers_per_block,
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        norm_num_groups=8,
        cross_attention_dim=CLIP_L_DIM + CLIP_G_DIM,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=CLIP_G_DIM + 6 * 8,
    ).eval()


# --------------------------------------------------------------------------- pipelines
def build_sd15(name: str = "stable-diffusion-v1-5/stable-diffusion-v1-5"):
    from diffusers import StableDiffusionPipeline

    with _seeded(name):
        return StableDiffusionPipeline(
            vae=_vae(),
            text_encoder=_clip_text(CLIP_L_DIM, projection=False),
            tokenizer=clip_tokenizer(),
            unet=_sd_unet(CLIP_L_DIM),
            scheduler=_scheduler("pndm"),
            safety_checker=None,
            feature_extractor=None,
            image_encoder=None,
            requires_safety_checker=False,
        )


def build_lcm(name: str = "SimianLuo/LCM_Dreamshaper_v7"):
    from diffusers import LatentConsistencyModelPipeline

    with _seeded(name):
        return LatentConsistencyModelPipeline(
            vae=_vae(),
            text_encoder=_clip_text(CLIP_L_DIM, projection=False),
            tokenizer=clip_tokenizer(),
            unet=_sd_unet(CLIP_L_DIM, time_cond_proj_dim=16),
            scheduler=_scheduler("lcm"),
            safety_checker=None,
            feature_extractor=None,
            image_encoder=None,
            requires_safety_checker=False,
        )


_SDXL_VARIANTS = {
    # repo id: (scheduler kind, unet transformer layers per block, extra VAE config)
    "stabilityai/stable-diffusion-xl-base-1.0": ("euler", (1, 2), dict(scaling_factor=0.13025)),
    "stabilityai/sdxl-turbo": ("euler_a_trailing", (1, 2), dict(scaling_factor=0.13025)),
    "segmind/SSD-1B": ("euler", (1, 1), dict(scaling_factor=0.13025)),  # distilled: fewer blocks
    "playgroundai/playground-v2.5-1024px-aesthetic": (
        "edm_dpm",
        (1, 2),
        dict(
            scaling_factor=0.5,
            latents_mean=(-1.6574, 1.886, -1.383, 2.5155),
            latents_std=(8.4927, 5.9022, 6.5498, 5.2299),
        ),
    ),
}


def build_sdxl(name: str = SDXL_BASE_REPO):
    from diffusers import StableDiffusionXLPipeline

    scheduler_kind, layers, vae_config = _SDXL_VARIANTS[name]
    with _seeded(name):
        return StableDiffusionXLPipeline(
            vae=_vae(force_upcast=True, **vae_config),
            text_encoder=_clip_text(CLIP_L_DIM, projection=False),
            text_encoder_2=_clip_text(CLIP_G_DIM, projection=True),
            tokenizer=clip_tokenizer(),
            tokenizer_2=clip_tokenizer(),
            unet=_sdxl_unet(layers),
            scheduler=_scheduler(scheduler_kind),
            image_encoder=None,
            feature_extractor=None,
            force_zeros_for_empty_prompt=name != "playgroundai/playground-v2.5-1024px-aesthetic",
            add_watermarker=False,
        )


def build_lightning_unet_state_dict(filename: str = LIGHTNING_FILES[1]) -> dict:
    """State dict of a tiny UNet with the SDXL base UNet's architecture (different weights per file)."""
    with _seeded(f"{LIGHTNING_REPO}/{filename}"):
        unet = _sdxl_unet((1, 2))
    return {k: v.detach().clone().contiguous() for k, v in unet.state_dict().items()}


def build_kandinsky22_prior(name: str = "kandinsky-community/kandinsky-2-2-prior"):
    import torch
    from diffusers import KandinskyV22PriorPipeline, PriorTransformer
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    embed_dim = CLIP_L_DIM  # image_embeds size handed to the decoder (real: 1280)
    with _seeded(name):
        prior = PriorTransformer(
            num_attention_heads=2,
            attention_head_dim=16,
            num_layers=1,
            embedding_dim=embed_dim,
            num_embeddings=77,
            additional_embeddings=4,
        )
        # A real checkpoint stores the CLIP embedding statistics; zero std would make every embedding equal.
        prior.clip_std = torch.nn.Parameter(torch.ones_like(prior.clip_std))
        prior.eval()
        image_encoder = CLIPVisionModelWithProjection(
            CLIPVisionConfig(
                hidden_size=embed_dim,
                projection_dim=embed_dim,
                intermediate_size=2 * embed_dim,
                num_hidden_layers=1,
                num_attention_heads=4,
                num_channels=3,
                image_size=224,
                patch_size=32,
            )
        ).eval()
        text_encoder = _clip_text(embed_dim, projection=True)
        image_processor = CLIPImageProcessor(
            crop_size={"height": 224, "width": 224},
            size={"shortest_edge": 224},
            do_center_crop=True,
            do_normalize=True,
            do_resize=True,
            image_mean=[0.48145466, 0.4578275, 0.40821073],
            image_std=[0.26862954, 0.26130258, 0.27577711],
            resample=3,
        )
        return KandinskyV22PriorPipeline(
            prior=prior,
            image_encoder=image_encoder,
            text_encoder=text_encoder,
            tokenizer=clip_tokenizer(),
            scheduler=_scheduler("unclip"),
            image_processor=image_processor,
        )


def build_kandinsky22_decoder(name: str = "kandinsky-community/kandinsky-2-2-decoder"):
    from diffusers import KandinskyV22Pipeline, UNet2DConditionModel, VQModel

    embed_dim = CLIP_L_DIM  # must equal the prior's embedding_dim
    with _seeded(name):
        unet = UNet2DConditionModel(
            sample_size=SAMPLE_SIZE,
            in_channels=4,
            out_channels=8,  # learned variance, as the real decoder (the pipeline drops it)
            down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D"),
            up_block_types=("SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"),
            mid_block_type="UNetMidBlock2DSimpleCrossAttn",
            block_out_channels=(16, 32),
            layers_per_block=1,
            norm_num_groups=8,
            encoder_hid_dim=embed_dim,
            encoder_hid_dim_type="image_proj",
            cross_attention_dim=32,
            attention_head_dim=8,
            addition_embed_type="image",
            resnet_time_scale_shift="scale_shift",
            class_embed_type=None,
        ).eval()
        # VQ "movq" with spatial norm (GroupNorm(32) inside, so 32+ channels); 4 blocks -> scale 8.
        movq = VQModel(
            in_channels=3,
            out_channels=3,
            down_block_types=("DownEncoderBlock2D",) * 3 + ("AttnDownEncoderBlock2D",),
            up_block_types=("AttnUpDecoderBlock2D",) + ("UpDecoderBlock2D",) * 3,
            block_out_channels=(32, 32, 32, 32),
            layers_per_block=1,
            latent_channels=4,
            vq_embed_dim=4,
            num_vq_embeddings=16,
            norm_num_groups=8,
            norm_type="spatial",
            sample_size=SAMPLE_SIZE * 8,
        ).eval()
        return KandinskyV22Pipeline(unet=unet, scheduler=_scheduler("ddpm"), movq=movq)


_SD3_VARIANTS = {
    "stabilityai/stable-diffusion-3-medium-diffusers": dict(),
    "stabilityai/stable-diffusion-3.5-large": dict(qk_norm="rms_norm"),
    "stabilityai/stable-diffusion-3.5-large-turbo": dict(qk_norm="rms_norm"),
    "stabilityai/stable-diffusion-3.5-medium": dict(qk_norm="rms_norm", dual_attention_layers=(0,)),
}


def build_sd3(name: str = "stabilityai/stable-diffusion-3-medium-diffusers"):
    from diffusers import SD3Transformer2DModel, StableDiffusion3Pipeline

    heads, head_dim = 2, 8
    with _seeded(name):
        transformer = SD3Transformer2DModel(
            sample_size=SAMPLE_SIZE,
            patch_size=2,
            in_channels=16,
            out_channels=16,
            num_layers=2,
            attention_head_dim=head_dim,
            num_attention_heads=heads,
            joint_attention_dim=T5_DIM,
            caption_projection_dim=heads * head_dim,
            pooled_projection_dim=CLIP_L_DIM + CLIP_G_DIM,
            pos_embed_max_size=64,  # patch grid up to 64x64 -> images up to 1024 px
            **_SD3_VARIANTS[name],
        ).eval()
        return StableDiffusion3Pipeline(
            transformer=transformer,
            scheduler=_scheduler("flow_sd3"),
            vae=_vae(16, shift_factor=0.0609, scaling_factor=1.5305, use_quant_conv=False, use_post_quant_conv=False),
            text_encoder=_clip_text(CLIP_L_DIM, projection=True),
            tokenizer=clip_tokenizer(),
            text_encoder_2=_clip_text(CLIP_G_DIM, projection=True),
            tokenizer_2=clip_tokenizer(),
            text_encoder_3=_t5_encoder(),
            tokenizer_3=t5_tokenizer(),
        )


def build_flux(name: str = "black-forest-labs/FLUX.1-schnell"):
    from diffusers import FluxPipeline, FluxTransformer2DModel

    dev = name.endswith("FLUX.1-dev")
    with _seeded(name):
        transformer = FluxTransformer2DModel(
            patch_size=1,
            in_channels=16 * 4,  # 16 latent channels packed 2x2
            num_layers=1,
            num_single_layers=1,
            attention_head_dim=16,
            num_attention_heads=2,
            joint_attention_dim=T5_DIM,
            pooled_projection_dim=CLIP_L_DIM,
            guidance_embeds=dev,
            axes_dims_rope=(4, 6, 6),  # sums to attention_head_dim
        ).eval()
        return FluxPipeline(
            scheduler=_scheduler("flow_dev" if dev else "flow_schnell"),
            vae=_vae(16, shift_factor=0.1159, scaling_factor=0.3611, use_quant_conv=False, use_post_quant_conv=False),
            text_encoder=_clip_text(CLIP_L_DIM, projection=False),
            tokenizer=clip_tokenizer(),
            text_encoder_2=_t5_encoder(),
            tokenizer_2=t5_tokenizer(),
            transformer=transformer,
            image_encoder=None,
            feature_extractor=None,
        )


_BUILDER_BY_CLASS: dict[str, Callable] = {
    "StableDiffusionPipeline": build_sd15,
    "StableDiffusionXLPipeline": build_sdxl,
    "LatentConsistencyModelPipeline": build_lcm,
    "KandinskyV22PriorPipeline": build_kandinsky22_prior,
    "KandinskyV22Pipeline": build_kandinsky22_decoder,
    "StableDiffusion3Pipeline": build_sd3,
    "FluxPipeline": build_flux,
}
# repo id -> zero-argument builder of its tiny pipeline
BUILDERS: dict[str, Callable] = {
    repo: (lambda repo=repo, cls=cls: _BUILDER_BY_CLASS[cls](repo)) for repo, cls in PIPELINE_CLASSES.items()
}


def build(repo_id: str):
    """Tiny pipeline for ``repo_id`` (not for LIGHTNING_REPO, which holds UNet files only)."""
    try:
        return BUILDERS[repo_id]()
    except KeyError:
        raise KeyError(f"no tiny text-to-image pipeline for {repo_id!r}; known: {sorted(BUILDERS)}") from None


@contextlib.contextmanager
def _quiet_progress_bars():
    from transformers.utils import logging as tf_logging

    was_enabled = tf_logging.is_progress_bar_enabled()
    tf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            tf_logging.enable_progress_bar()


def _save_pipeline(pipe, folder: str) -> None:
    with _quiet_progress_bars():
        pipe.save_pretrained(folder, safe_serialization=True)


def install_text_to_image(cache_dir, repo_ids: Iterable[str] | None = None) -> dict[str, Path]:
    """Build the tiny pipelines and write them into the hub cache ``cache_dir`` under their
    real repo ids. ``repo_ids`` defaults to all of :data:`TEXT_TO_IMAGE_REPOS`. Returns
    ``{repo_id: snapshot folder}`` (for LIGHTNING_REPO, the folder holding the UNet files)."""
    from safetensors.torch import save as save_safetensors

    repo_ids = list(TEXT_TO_IMAGE_REPOS if repo_ids is None else repo_ids)
    unknown = [r for r in repo_ids if r not in PIPELINE_CLASSES and r != LIGHTNING_REPO]
    if unknown:
        raise KeyError(f"no tiny text-to-image model for {unknown}; known: {list(TEXT_TO_IMAGE_REPOS)}")
    out: dict[str, Path] = {}
    for repo in repo_ids:
        if repo == LIGHTNING_REPO:
            for filename in LIGHTNING_FILES:
                data = save_safetensors(build_lightning_unet_state_dict(filename))
                out[repo] = save_file_to_hub_cache(cache_dir, repo, filename, data).parent
            continue
        pipe = build(repo)
        out[repo] = save_to_hub_cache(cache_dir, repo, lambda folder, pipe=pipe: _save_pipeline(pipe, folder))
        del pipe
    return out
