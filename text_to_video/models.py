"""Text-to-video models: each declared once, with every backend that runs it.

Ids end in ``-t2v`` where the same model also makes videos from images
(``img2video``), since an id names one model of one task. No source image
here: hosted backends declare no image field. Sources for repos,
refs, inputs and ranges: docs/providers-research.md section 10 (diffusers
pipeline docs and model cards; Replicate schemas, snapshots in
docs/schemas/replicate).
"""

from ..core.catalog import Model
from ..core.params import BOOL, CHOICE, FLOAT, GUIDANCE, INT, NEGATIVE_PROMPT, STEPS, Param
from ..video.hosted import ReplicateVideo
from ..video.local import DiffusersVideo
from ..video.params import (
    FPS, HAILUO_10S, LTX_NEGATIVE, LTX_NUM_FRAMES, MEMORY, NUM_FRAMES, WAN_NEGATIVE,
    WAN_NUM_FRAMES, frame_size,
)

TASK = "txt2video"

# --- local (diffusers) ----------------------------------------------------------------

LTX_VIDEO_T2V = Model(
    "ltx-video-t2v", "LTX-Video", TASK, batched=False,
    summary="Lightricks' fast DiT video model from text: 24 fps, 704x480",
    backends=(
        DiffusersVideo(repo="Lightricks/LTX-Video", pipeline="LTXPipeline",
                       gpu_dtype="bfloat16", call_fields={"fps": "frame_rate"},
                       fast_gib=24.0, recommended_negative=LTX_NEGATIVE,
                       timestep_decode={"decode_timestep": 0.05,
                                        "decode_noise_scale": 0.025}),
    ),
    params=(
        *frame_size(704, 480, multiple_of=32),
        LTX_NUM_FRAMES,
        FPS.with_(default=24, max=60),
        STEPS.with_(default=50, max=100),
        GUIDANCE.with_(default=3.0, max=10.0),
        NEGATIVE_PROMPT, MEMORY,
    ),
)

WAN21_T2V_1_3B = Model(
    "wan2.1-t2v-1.3b", "Wan 2.1 T2V 1.3B", TASK, batched=False,
    summary="Wan-AI's small text-to-video model: 480p, 16 fps, on consumer GPUs",
    backends=(
        DiffusersVideo(repo="Wan-AI/Wan2.1-T2V-1.3B-Diffusers", pipeline="WanPipeline",
                       gpu_dtype="bfloat16", fp32_components=("vae",),
                       call_fields={"fps": None}, fast_gib=12.0,
                       recommended_negative=WAN_NEGATIVE),
    ),
    params=(
        *frame_size(832, 480, multiple_of=16),
        WAN_NUM_FRAMES,
        FPS.with_(default=16),
        STEPS.with_(default=50, max=100),
        GUIDANCE.with_(default=5.0, max=20.0),
        NEGATIVE_PROMPT, MEMORY,
    ),
)

# --- hosted (Replicate) ------------------------------------------------------------------

VEO_31_T2V = Model(
    "veo-3.1-t2v", "Veo 3.1", TASK, batched=False,
    summary="Google's Veo 3.1: 4-8 s at 720p or 1080p, with sound (Replicate)",
    backends=(ReplicateVideo(model_ref="google/veo-3.1", image_field=None,
                              needs_prompt=True),),
    params=(
        Param("duration", CHOICE, default=8, choices=(4, 6, 8), help="Seconds of video"),
        Param("resolution", CHOICE, default="1080p", choices=("720p", "1080p"),
              help="Video resolution"),
        Param("aspect_ratio", CHOICE, default="16:9", choices=("16:9", "9:16"),
              label="Aspect ratio", help="Landscape or portrait"),
        Param("generate_audio", BOOL, default=True, label="Audio",
              help="Generate sound with the video"),
        NEGATIVE_PROMPT,
    ),
)

HAILUO_02_T2V = Model(
    "hailuo-02-t2v", "Hailuo 02", TASK, batched=False,
    summary="MiniMax's Hailuo 02: 6 or 10 s at 512p, 768p or 1080p (Replicate)",
    backends=(ReplicateVideo(model_ref="minimax/hailuo-02", image_field=None,
                             needs_prompt=True, takes_seed=False,
                             only_with=HAILUO_10S),),
    params=(
        Param("duration", CHOICE, default=6, choices=(6, 10),
              help="Seconds of video (10 s at 768p only)"),
        Param("resolution", CHOICE, default="1080p", choices=("512p", "768p", "1080p"),
              help="512p or 768p: standard; 1080p: pro (higher quality too)"),
        Param("prompt_optimizer", BOOL, default=True, label="Optimize prompt",
              help="Let MiniMax rewrite the prompt"),
    ),
)

WAN22_T2V_FAST = Model(
    "wan2.2-t2v-fast", "Wan 2.2 T2V Fast", TASK, batched=False,
    summary="A fast, low-cost Wan 2.2 A14B text-to-video on Replicate",
    backends=(ReplicateVideo(model_ref="wan-video/wan-2.2-t2v-fast", image_field=None,
                             needs_prompt=True,
                             fields={"fps": "frames_per_second"}),),
    params=(
        NUM_FRAMES.with_(default=81, min=81, max=121),
        Param("resolution", CHOICE, default="480p", choices=("480p", "720p"),
              help="Video resolution"),
        Param("aspect_ratio", CHOICE, default="16:9", choices=("16:9", "9:16"),
              label="Aspect ratio", help="16:9 is 832x480 at 480p, 9:16 480x832"),
        FPS.with_(default=16),
        Param("go_fast", BOOL, default=True, help="Faster, slightly lower quality"),
        Param("sample_shift", FLOAT, default=12.0, min=1.0, max=20.0,
              help="Higher: faster motion; lower: smoother"),
    ),
)

def seedance_t2v(model_id, label, ref, default_resolution):
    return Model(
        model_id, label, TASK, batched=False,
        summary=f"ByteDance's {label} from text: 2-12 s at 24 fps, up to 1080p (Replicate)",
        backends=(ReplicateVideo(model_ref=ref, image_field=None, needs_prompt=True),),
        params=(
            Param("duration", INT, default=5, min=2, max=12, help="Seconds of video"),
            Param("resolution", CHOICE, default=default_resolution,
                  choices=("480p", "720p", "1080p"), help="Video resolution"),
            Param("camera_fixed", BOOL, default=False, help="Keep the camera still"),
        ),
    )


SEEDANCE_1_LITE_T2V = seedance_t2v("seedance-1-lite-t2v", "Seedance 1 Lite",
                                   "bytedance/seedance-1-lite", "720p")
SEEDANCE_1_PRO_T2V = seedance_t2v("seedance-1-pro-t2v", "Seedance 1 Pro",
                                  "bytedance/seedance-1-pro", "1080p")

KLING_V25_TURBO_T2V = Model(
    "kling-v2.5-turbo-pro-t2v", "Kling 2.5 Turbo Pro", TASK, batched=False,
    summary="Kuaishou's Kling 2.5 Turbo Pro from text: 5 or 10 s (Replicate)",
    backends=(ReplicateVideo(model_ref="kwaivgi/kling-v2.5-turbo-pro", image_field=None,
                             needs_prompt=True, takes_seed=False),),
    params=(
        Param("duration", CHOICE, default=5, choices=(5, 10), help="Seconds of video"),
        Param("aspect_ratio", CHOICE, default="16:9", choices=("16:9", "9:16", "1:1"),
              label="Aspect ratio", help="Landscape, portrait or square"),
        NEGATIVE_PROMPT,
    ),
)

MODELS = (LTX_VIDEO_T2V, WAN21_T2V_1_3B, VEO_31_T2V, HAILUO_02_T2V,
          KLING_V25_TURBO_T2V, WAN22_T2V_FAST, SEEDANCE_1_LITE_T2V, SEEDANCE_1_PRO_T2V)
