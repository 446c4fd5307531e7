"""Text-to-video models: each declared once, with every backend that runs it.

Ids end in ``-t2v`` where the same model also makes videos from images
(``img2video``), since an id names one model of one task. No source image
here: hosted backends declare no image field. Sources for repos,
refs, inputs and ranges: docs/providers-research.md section 12 (diffusers
pipeline docs and model cards; Replicate schemas, snapshots in
docs/schemas/replicate).
"""

from ..core.catalog import Model
from ..core.params import BOOL, CHOICE, FLOAT, GUIDANCE, NEGATIVE_PROMPT, STEPS, Param
from ..video import twins
from ..video.hosted import ReplicateVideo
from ..video.local import DiffusersVideo
from ..video.params import (
    FPS, MEMORY, NUM_FRAMES, WAN_NEGATIVE, WAN_NUM_FRAMES, frame_size,
)

TASK = "txt2video"

# --- local (diffusers) ----------------------------------------------------------------

LTX_VIDEO_T2V = Model(
    "ltx-video-t2v", "LTX-Video", TASK, batched=False,
    summary="Lightricks' fast DiT video model from text: 24 fps, 704x480",
    **twins.ltx_video(False),
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
    **twins.veo_31(False),
)

HAILUO_02_T2V = Model(
    "hailuo-02-t2v", "Hailuo 02", TASK, batched=False,
    summary="MiniMax's Hailuo 02: 6 or 10 s at 512p, 768p or 1080p (Replicate)",
    **twins.hailuo_02(False),
)

KLING_V25_TURBO_T2V = Model(
    "kling-v2.5-turbo-pro-t2v", "Kling 2.5 Turbo Pro", TASK, batched=False,
    summary="Kuaishou's Kling 2.5 Turbo Pro from text: 5 or 10 s (Replicate)",
    **twins.kling_v25_turbo_pro(False),
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

SEEDANCE_1_LITE_T2V = Model(
    "seedance-1-lite-t2v", "Seedance 1 Lite", TASK, batched=False,
    summary="ByteDance's Seedance 1 Lite from text: 2-12 s at 24 fps, up to 1080p "
    "(Replicate)",
    **twins.seedance_1("bytedance/seedance-1-lite", "720p", False),
)

SEEDANCE_1_PRO_T2V = Model(
    "seedance-1-pro-t2v", "Seedance 1 Pro", TASK, batched=False,
    summary="ByteDance's Seedance 1 Pro from text: 2-12 s at 24 fps, up to 1080p "
    "(Replicate)",
    **twins.seedance_1("bytedance/seedance-1-pro", "1080p", False),
)

MODELS = (LTX_VIDEO_T2V, WAN21_T2V_1_3B, VEO_31_T2V, HAILUO_02_T2V,
          KLING_V25_TURBO_T2V, WAN22_T2V_FAST, SEEDANCE_1_LITE_T2V, SEEDANCE_1_PRO_T2V)
