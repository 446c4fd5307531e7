"""Tiny random-weight video diffusers pipelines (image to video and text to
video) for offline tests.

``install_video(cache_dir)`` writes, under their real repo ids, into a Hugging
Face hub cache laid out like the real one:

=============================================  ===============================
repo id                                        pipeline (model_index.json)
=============================================  ===============================
stabilityai/stable-video-diffusion-img2vid     StableVideoDiffusionPipeline
stabilityai/stable-video-diffusion-img2vid-xt  StableVideoDiffusionPipeline
Lightricks/LTX-Video                           LTXImageToVideoPipeline
Wan-AI/Wan2.1-I2V-14B-480P-Diffusers           WanImageToVideoPipeline
Wan-AI/Wan2.2-I2V-A14B-Diffusers               WanImageToVideoPipeline
Wan-AI/Wan2.1-T2V-1.3B-Diffusers               WanPipeline
=============================================  ===============================

(``Lightricks/LTX-Video``'s model_index.json names LTXPipeline, as the real one
does; ``LTXImageToVideoPipeline.from_pretrained`` loads it since both pipelines
take the same components; ``LTXPipeline`` loads it for text to video.)

With ``HF_HUB_OFFLINE=1`` and ``HF_HUB_CACHE=<cache_dir>`` set *before*
huggingface_hub / diffusers are imported, the real
``PipelineClass.from_pretrained(repo_id, torch_dtype=torch.float32)`` loads
them.  The tiny models keep the real spatial/temporal compression factors, so
the real shape constraints apply (see ``CONSTRAINTS``), and ``FAST_KWARGS``
gives call parameters that run in about a second on a 2-core CPU.

Text encoders are random T5/UMT5 models with a tokenizer built offline (a
`tokenizers` Unigram model over printable ASCII wrapped in T5TokenizerFast).
"""

from __future__ import annotations

from typing import Iterable

from .text_to_image import t5_tokenizer

SVD = "stabilityai/stable-video-diffusion-img2vid"
SVD_XT = "stabilityai/stable-video-diffusion-img2vid-xt"
LTX = "Lightricks/LTX-Video"
WAN21_I2V = "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"
WAN22_I2V = "Wan-AI/Wan2.2-I2V-A14B-Diffusers"
WAN21_T2V = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
VIDEO_REPOS = (SVD, SVD_XT, LTX, WAN21_I2V, WAN22_I2V, WAN21_T2V)

# Pipeline class names (as in diffusers) per repo.
PIPELINE_CLASSES = {
    SVD: "StableVideoDiffusionPipeline",
    SVD_XT: "StableVideoDiffusionPipeline",
    LTX: "LTXImageToVideoPipeline",  # model_index.json says LTXPipeline
    WAN21_I2V: "WanImageToVideoPipeline",
    WAN22_I2V: "WanImageToVideoPipeline",
    WAN21_T2V: "WanPipeline",
}

# Shape rules of the real models, which the tiny ones share.
CONSTRAINTS = {
    SVD: "height, width multiples of 8 (VAE /8); any num_frames >= 1 "
    "(default unet.config.num_frames = 14); decode_chunk_size any >= 1",
    SVD_XT: "as img2vid; default num_frames = 25",
    LTX: "height, width multiples of 32 (ValueError otherwise); num_frames = 8k+1 "
    "(VAE temporal /8; other values are floored to 8k+1 latent-wise)",
    WAN21_I2V: "height, width multiples of 16 (ValueError otherwise); num_frames = 4k+1 "
    "(other values are rounded down with a warning)",
    WAN22_I2V: "as Wan2.1 (two transformers, boundary_ratio 0.9, no image encoder)",
    WAN21_T2V: "as Wan2.1 I2V (one transformer taking 16 latent channels, no image)",
}

# Call parameters that work and are fast with the tiny pipelines on CPU
# (pass image=<PIL image> and, for LTX/Wan, prompt=...).
FAST_KWARGS = {
    SVD: dict(height=64, width=64, num_frames=4, num_inference_steps=2, decode_chunk_size=2),
    SVD_XT: dict(height=64, width=64, num_frames=8, num_inference_steps=2, decode_chunk_size=4),
    LTX: dict(height=64, width=64, num_frames=9, num_inference_steps=2),
    WAN21_I2V: dict(height=64, width=64, num_frames=5, num_inference_steps=2),
    WAN22_I2V: dict(height=64, width=64, num_frames=5, num_inference_steps=2),
    WAN21_T2V: dict(height=64, width=64, num_frames=5, num_inference_steps=2),
}


# --- tokenizer (no hub) ----------------------------------------------------------------
_T5_VOCAB = 256  # >= len(t5_tokenizer())


def _t5_encoder(umt5: bool = False, d_model: int = 32):
    if umt5:
        from transformers import UMT5Config as Config, UMT5EncoderModel as Model
    else:
        from transformers import T5Config as Config, T5EncoderModel as Model
    cfg = Config(
        vocab_size=_T5_VOCAB, d_model=d_model, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )
    return Model(cfg)


def _clip_image_processor(size=224):
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(
        crop_size=size, size=size, do_center_crop=True, do_normalize=True, do_resize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073],
        image_std=[0.26862954, 0.26130258, 0.27577711], resample=3,
    )


def _clip_vision_config(hidden=32, projection_dim=32):
    from transformers import CLIPVisionConfig

    # image_size must be 224: SVD resizes to 224 itself, Wan's processor does too
    return CLIPVisionConfig(
        hidden_size=hidden, projection_dim=projection_dim, intermediate_size=37,
        num_attention_heads=4, num_hidden_layers=2, image_size=224, patch_size=32,
    )


# --- Stable Video Diffusion ----------------------------------------------------------------
def build_svd(num_frames: int = 14):
    """Tiny SVD; ``num_frames`` is the UNet's default frame count (14 / xt 25)."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        sample_size=8,
        in_channels=8,
        out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        block_out_channels=(32, 64),
        layers_per_block=1,
        cross_attention_dim=32,
        num_attention_heads=(2, 4),
        addition_time_embed_dim=32,
        projection_class_embeddings_input_dim=96,  # 3 * addition_time_embed_dim
        num_frames=num_frames,
    )
    torch.manual_seed(0)
    # 4 levels => /8 like the real VAE; channel counts multiples of 32 (GroupNorm 32)
    vae = AutoencoderKLTemporalDecoder(
        in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        block_out_channels=(32, 32, 32, 32),
        layers_per_block=1, latent_channels=4, sample_size=64,
    )
    torch.manual_seed(0)
    image_encoder = CLIPVisionModelWithProjection(_clip_vision_config(32, 32))
    scheduler = EulerDiscreteScheduler(  # real SVD scheduler config
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        interpolation_type="linear", num_train_timesteps=1000, prediction_type="v_prediction",
        sigma_max=700.0, sigma_min=0.002, steps_offset=1, timestep_spacing="leading",
        timestep_type="continuous", trained_betas=None, use_karras_sigmas=True,
    )
    return StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=scheduler,
        feature_extractor=_clip_image_processor(224),
    )


# --- LTX-Video ---------------------------------------------------------------------------------
def build_ltx(image_to_video: bool = False):
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
        num_attention_heads=2, attention_head_dim=8, cross_attention_dim=16,
        num_layers=1, caption_channels=32,
    )
    torch.manual_seed(0)
    # patch 4 x 2^3 => spatial /32, temporal /8 like the real VAE
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8,
        block_out_channels=(16, 16, 16, 16), decoder_block_out_channels=(16, 16, 16, 16),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False), upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False, patch_size=4, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    torch.manual_seed(0)
    text_encoder = _t5_encoder(umt5=False, d_model=32)
    scheduler = FlowMatchEulerDiscreteScheduler(  # real LTX-Video scheduler config
        base_image_seq_len=1024, base_shift=0.95, max_image_seq_len=4096, max_shift=2.05,
        shift=1.0, shift_terminal=0.1, use_dynamic_shifting=True,
    )
    # the real repo's model_index.json names LTXPipeline (text-to-video); both
    # pipelines take the same components, so LTXImageToVideoPipeline.from_pretrained
    # loads it as well
    cls = LTXImageToVideoPipeline if image_to_video else LTXPipeline
    return cls(
        scheduler=scheduler, vae=vae, text_encoder=text_encoder,
        tokenizer=t5_tokenizer(128), transformer=transformer,
    )


# --- Wan ------------------------------------------------------------------------------------------
def _wan_vae():
    from diffusers import AutoencoderKLWan

    # 4 levels => spatial /8, temporal_downsample [F, T, T] => temporal /4 (real values)
    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )


def _wan_transformer(image_dim=None, in_channels=36):
    from diffusers import WanTransformer3DModel

    # image to video: 16 noise + 20 image-condition channels; text to video: 16
    kw = dict(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
        in_channels=in_channels, out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32,
        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )
    if image_dim is not None:  # Wan 2.1 I2V: CLIP image tokens through added k/v
        kw.update(image_dim=image_dim, added_kv_proj_dim=2 * 12)
    return WanTransformer3DModel(**kw)


def _wan_scheduler():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)


def build_wan21_i2v():
    import torch
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPVisionModel

    torch.manual_seed(0)
    vae = _wan_vae()
    torch.manual_seed(0)
    text_encoder = _t5_encoder(umt5=True, d_model=32)
    torch.manual_seed(0)
    transformer = _wan_transformer(image_dim=32)
    torch.manual_seed(0)
    image_encoder = CLIPVisionModel(_clip_vision_config(32, 32))
    return WanImageToVideoPipeline(
        tokenizer=t5_tokenizer(512), text_encoder=text_encoder, vae=vae,
        scheduler=_wan_scheduler(), image_processor=_clip_image_processor(224),
        image_encoder=image_encoder, transformer=transformer,
    )


def build_wan22_i2v():
    """Wan 2.2 A14B layout: transformer (high noise) + transformer_2 (low noise),
    boundary_ratio 0.9, no image encoder/processor (cheaper than TI2V-5B, whose
    VAE is the different 48-channel /16 one)."""
    import torch
    from diffusers import WanImageToVideoPipeline

    torch.manual_seed(0)
    vae = _wan_vae()
    torch.manual_seed(0)
    text_encoder = _t5_encoder(umt5=True, d_model=32)
    torch.manual_seed(0)
    transformer = _wan_transformer()
    torch.manual_seed(1)
    transformer_2 = _wan_transformer()
    return WanImageToVideoPipeline(
        tokenizer=t5_tokenizer(512), text_encoder=text_encoder, vae=vae,
        scheduler=_wan_scheduler(), image_processor=None, image_encoder=None,
        transformer=transformer, transformer_2=transformer_2, boundary_ratio=0.9,
    )


def build_wan21_t2v():
    """Wan 2.1 T2V 1.3B layout: one transformer on the 16 latent channels,
    no image encoder."""
    import torch
    from diffusers import WanPipeline

    torch.manual_seed(0)
    vae = _wan_vae()
    torch.manual_seed(0)
    text_encoder = _t5_encoder(umt5=True, d_model=32)
    torch.manual_seed(0)
    transformer = _wan_transformer(in_channels=16)
    return WanPipeline(tokenizer=t5_tokenizer(512), text_encoder=text_encoder, vae=vae,
                       scheduler=_wan_scheduler(), transformer=transformer)


VIDEO_BUILDERS = {
    SVD: lambda: build_svd(14),
    SVD_XT: lambda: build_svd(25),
    LTX: build_ltx,
    WAN21_I2V: build_wan21_i2v,
    WAN22_I2V: build_wan22_i2v,
    WAN21_T2V: build_wan21_t2v,
}


def install_video(cache_dir, repo_ids: Iterable[str] | None = None) -> dict:
    """Write tiny video pipelines into the hub cache ``cache_dir``.

    Uses ``tests/tiny/hub_cache.save_to_hub_cache`` (blobs + symlinked snapshots +
    trees/<commit>.json, as huggingface_hub 2.x).  Returns ``{repo_id: snapshot Path}``.
    ``repo_ids`` defaults to VIDEO_REPOS.
    """
    from .hub_cache import install_built

    return install_built(cache_dir, VIDEO_BUILDERS, repo_ids or VIDEO_REPOS, "video")
