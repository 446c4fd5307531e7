"""Image-to-video models: each declared once, with every backend that runs it.

Sources for repos, refs and inputs: docs/providers-research.md (diffusers
pipeline docs, Replicate API pages). Stability's image-to-video endpoint
(retired 2025-07-24) and OpenAI's video API (shut down 2026-09-24) are
listed as retired, pointing to what runs instead.
"""

from ..core.catalog import RETIRED, Model
from ..core.params import BOOL, CHOICE, FLOAT, GUIDANCE, INT, NEGATIVE_PROMPT, STEPS, Param
from ..video.hosted import ReplicateVideo, video_price
from ..video.local import DiffusersVideo
from ..video import twins
from ..video.params import (
    FPS, HOSTED, LOCAL, MEMORY, NUM_FRAMES, WAN_NEGATIVE, WAN_NUM_FRAMES, frame_size,
)
from ..video.sizing import SIZING_MODES

TASK = "img2video"

SIZING = Param(
    "sizing", CHOICE, default="crop", choices=SIZING_MODES, backends=LOCAL,
    help="How the image meets the video size: crop to fill it, keep the aspect "
    "and pad, or resize (stretch)")
RESOLUTION = Param("resolution", CHOICE, default="480p", choices=("480p", "720p"),
                   backends=HOSTED, help="Video resolution (aspect follows the image)")


# --- Stable Video Diffusion -----------------------------------------------------

SVD_REPLICATE = ("stability-ai/stable-video-diffusion:"
                 "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438")


def svd(model_id, label, repo, frames, video_length, summary):
    return Model(
        model_id, label, TASK, summary=summary, batched=False,
        backends=(
            DiffusersVideo(repo=repo, pipeline="StableVideoDiffusionPipeline",
                           variant="fp16", gated=True, takes_prompt=False,
                           chunked_decode=True, fast_gib=20.0),
            ReplicateVideo(model_ref=SVD_REPLICATE, image_field="input_image",
                           takes_prompt=False, fixed={"video_length": video_length},
                           fields={"fps": "frames_per_second",
                                   "noise_aug_strength": "cond_aug",
                                   "decode_chunk_size": "decoding_t"}),
        ),
        params=(
            *frame_size(1024, 576, multiple_of=8, max=1024, backends=LOCAL),
            NUM_FRAMES.with_(default=frames, backends=LOCAL),
            FPS.with_(default=7),
            Param("motion_bucket_id", INT, default=127, min=1, max=255,
                  label="Motion", help="More motion as it grows"),
            Param("noise_aug_strength", FLOAT, default=0.02, min=0.0, max=1.0,
                  label="Conditioning augmentation",
                  help="Noise added to the image: more motion, less likeness"),
            Param("decode_chunk_size", INT, min=1, max=25, label="Decode chunk",
                  help="Frames decoded at once: fewer use less GPU memory "
                  "(blank: locally, picked from free GPU memory)"),
            STEPS.with_(default=25, max=100, backends=LOCAL),
            Param("min_guidance_scale", FLOAT, default=1.0, min=0.0, max=10.0,
                  backends=LOCAL, help="Guidance on the first frame"),
            Param("max_guidance_scale", FLOAT, default=3.0, min=0.0, max=10.0,
                  backends=LOCAL, help="Guidance on the last frame"),
            SIZING,
            Param("sizing_strategy", CHOICE, default="maintain_aspect_ratio",
                  choices=("maintain_aspect_ratio", "crop_to_16_9",
                           "use_image_dimensions"),
                  backends=HOSTED, help="How Replicate sizes the image"),
            MEMORY,
        ),
    )


SVD = svd("svd", "Stable Video Diffusion (14 frames)",
          "stabilityai/stable-video-diffusion-img2vid", 14, "14_frames_with_svd",
          "Stability's image-to-video model, 14 frames at 1024x576 (ignores prompts)")
SVD_XT = svd("svd-xt", "Stable Video Diffusion XT (25 frames)",
             "stabilityai/stable-video-diffusion-img2vid-xt", 25, "25_frames_with_svd_xt",
             "SVD fine-tuned for 25 frames at 1024x576 (ignores prompts)")

# --- LTX-Video and Wan (local, prompt-guided) ------------------------------------------

LTX_VIDEO = Model(
    "ltx-video", "LTX-Video", TASK, batched=False,
    summary="Lightricks' fast DiT video model: 24 fps, 704x480, prompt-guided",
    **twins.ltx_video(True, SIZING),
)

WAN21_I2V = Model(
    "wan2.1-i2v-480p", "Wan 2.1 I2V 14B (480p)", TASK, batched=False,
    summary="Wan-AI's 14B image-to-video model at 480p, 16 fps, prompt-guided (local)",
    backends=(
        DiffusersVideo(repo="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
                       pipeline="WanImageToVideoPipeline", gpu_dtype="bfloat16",
                       fp32_components=("vae", "image_encoder"),
                       call_fields={"fps": None}, fast_gib=60.0,
                       recommended_negative=WAN_NEGATIVE),
    ),
    params=(
        *frame_size(832, 480, multiple_of=16),
        WAN_NUM_FRAMES,
        FPS.with_(default=16),
        STEPS.with_(default=50, max=100),
        GUIDANCE.with_(default=5.0, max=20.0),
        NEGATIVE_PROMPT, SIZING, MEMORY,
    ),
)

WAN22_I2V = Model(
    "wan2.2-i2v-a14b", "Wan 2.2 I2V A14B", TASK, batched=False,
    summary="Wan 2.2 mixture-of-experts image-to-video (two 14B experts), 16 fps",
    backends=(
        DiffusersVideo(repo="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
                       pipeline="WanImageToVideoPipeline", gpu_dtype="bfloat16",
                       fp32_components=("vae",), call_fields={"fps": None},
                       fast_gib=80.0, recommended_negative=WAN_NEGATIVE),
        ReplicateVideo(model_ref="wan-video/wan-2.2-i2v-a14b", needs_prompt=True,
                       fields={"fps": "frames_per_second",
                               "num_inference_steps": "sample_steps"}),
    ),
    params=(
        *frame_size(832, 480, multiple_of=16, backends=LOCAL),
        RESOLUTION,
        WAN_NUM_FRAMES,
        NUM_FRAMES.with_(default=81, min=81, max=100, backends=HOSTED),
        FPS.with_(default=16, max=24),
        STEPS.with_(default=40, max=100, backends=LOCAL),
        STEPS.with_(default=30, max=50, backends=HOSTED),
        GUIDANCE.with_(default=3.5, max=20.0, backends=LOCAL),
        Param("sample_shift", FLOAT, default=5.0, min=1.0, max=20.0, backends=HOSTED,
              help="Higher: faster motion; lower: smoother"),
        NEGATIVE_PROMPT.with_(backends=LOCAL), SIZING, MEMORY,
    ),
)

# --- hosted only ----------------------------------------------------------------------

WAN22_I2V_FAST = Model(
    "wan2.2-i2v-fast", "Wan 2.2 I2V Fast", TASK, batched=False,
    summary="A fast, low-cost Wan 2.2 image-to-video on Replicate",
    backends=(
        ReplicateVideo(model_ref="wan-video/wan-2.2-i2v-fast", needs_prompt=True,
                       fields={"fps": "frames_per_second"}),
    ),
    params=(
        NUM_FRAMES.with_(default=81, min=81, max=121),
        RESOLUTION.with_(backends=()),
        FPS.with_(default=16),
        Param("go_fast", BOOL, default=True, help="Faster, slightly lower quality"),
    ),
)

KLING_V21 = Model(
    "kling-v2.1", "Kling v2.1", TASK, batched=False,
    summary="Kuaishou's Kling 2.1: 5 or 10 s at 24 fps, 720p or 1080p (Replicate)",
    backends=(
        ReplicateVideo(model_ref="kwaivgi/kling-v2.1", image_field="start_image",
                       needs_prompt=True, takes_seed=False,
                       price=video_price("https://replicate.com/kwaivgi/kling-v2.1",
                                         {("standard",): 0.05, ("pro",): 0.09},
                                         by=("mode",))),
    ),
    params=(
        Param("mode", CHOICE, default="standard", choices=("standard", "pro"),
              help="standard: 720p; pro: 1080p"),
        Param("duration", CHOICE, default=5, choices=(5, 10), help="Seconds of video"),
        NEGATIVE_PROMPT,
    ),
)

SEEDANCE_1_LITE = Model(
    "seedance-1-lite", "Seedance 1 Lite", TASK, batched=False,
    summary="ByteDance's Seedance 1 Lite: 2-12 s at 24 fps, up to 1080p (Replicate)",
    **twins.seedance_1("bytedance/seedance-1-lite", "720p", True),
)

# 2025-26 models (Replicate official models: schemas in docs/schemas/replicate,
# sources in docs/providers-research.md section 12); each also makes videos from
# text alone (txt2video's ``-t2v`` twins)

SEEDANCE_1_PRO = Model(
    "seedance-1-pro", "Seedance 1 Pro", TASK, batched=False,
    summary="ByteDance's Seedance 1 Pro: 2-12 s at 24 fps, up to 1080p (Replicate)",
    **twins.seedance_1("bytedance/seedance-1-pro", "1080p", True),
)

VEO_31 = Model(
    "veo-3.1", "Veo 3.1", TASK, batched=False,
    summary="Google's Veo 3.1 from a first frame: 4-8 s at 720p or 1080p, with sound "
    "(Replicate)",
    **twins.veo_31(True),
)

HAILUO_02 = Model(
    "hailuo-02", "Hailuo 02", TASK, batched=False,
    summary="MiniMax's Hailuo 02 from a first frame: 6 or 10 s, 512p to 1080p (Replicate)",
    **twins.hailuo_02(True),
)

KLING_V25_TURBO = Model(
    "kling-v2.5-turbo-pro", "Kling 2.5 Turbo Pro", TASK, batched=False,
    summary="Kuaishou's Kling 2.5 Turbo Pro from a first frame: 5 or 10 s (Replicate)",
    **twins.kling_v25_turbo_pro(True),
)

# --- retired --------------------------------------------------------------------------

STABILITY_VIDEO_API = Model(
    "stability-svd-api", "Stable Video Diffusion (Stability API)", TASK,
    status=RETIRED, retired_on="2025-07-24", successor="svd-xt", batched=False,
    summary="Stability's image-to-video endpoint, discontinued on 2025-07-24")
SORA_2 = Model(
    "sora-2", "Sora 2 (OpenAI video API)", TASK, status=RETIRED,
    retired_on="2026-09-24", successor="kling-v2.1", batched=False,
    summary="OpenAI's video API, shut down on 2026-09-24")

MODELS = (SVD, SVD_XT, LTX_VIDEO, WAN21_I2V, WAN22_I2V, WAN22_I2V_FAST, KLING_V21,
          SEEDANCE_1_LITE, SEEDANCE_1_PRO, VEO_31, HAILUO_02, KLING_V25_TURBO,
          STABILITY_VIDEO_API, SORA_2)
