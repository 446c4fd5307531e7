"""Video models that make videos both from text and from images, declared
once: each function gives the ``backends`` and ``params`` of a model for one
task (``image=True``: image to video, the source image sent in the model's
own field; else text to video). Each task's ``models.py`` adds its id, label
and summary. Sources: docs/providers-research.md sections 9 and 12; schemas in
docs/schemas/replicate; prices in section 11 ("Replicate video models").
"""

from ..core.params import BOOL, CHOICE, GUIDANCE, INT, NEGATIVE_PROMPT, STEPS, Param
from .hosted import ReplicateVideo, video_price
from .local import DiffusersVideo
from .params import FPS, HAILUO_10S, LTX_NEGATIVE, LTX_NUM_FRAMES, MEMORY, frame_size


def _aspect(image, choices, help):
    """Text to video chooses the frame's shape; from an image it follows the image."""
    if image:
        return ()
    return (Param("aspect_ratio", CHOICE, default=choices[0], choices=choices,
                  label="Aspect ratio", help=help),)


def ltx_video(image, *extra):
    """Lightricks' LTX-Video, local: ``LTXImageToVideoPipeline`` or ``LTXPipeline``
    on the same weights."""
    pipeline = "LTXImageToVideoPipeline" if image else "LTXPipeline"
    return dict(
        backends=(DiffusersVideo(repo="Lightricks/LTX-Video", pipeline=pipeline,
                                 gpu_dtype="bfloat16", call_fields={"fps": "frame_rate"},
                                 fast_gib=24.0, recommended_negative=LTX_NEGATIVE,
                                 timestep_decode={"decode_timestep": 0.05,
                                                  "decode_noise_scale": 0.025}),),
        params=(
            *frame_size(704, 480, multiple_of=32),
            LTX_NUM_FRAMES,
            FPS.with_(default=24, max=60),
            STEPS.with_(default=50, max=100),
            GUIDANCE.with_(default=3.0, max=10.0),
            NEGATIVE_PROMPT, *extra, MEMORY,
        ),
    )


def veo_31(image):
    """No price: the public figures for Veo 3.1 on Replicate disagree ($0.40
    and $0.20 a second with and without audio in one client, $0.75 and $0.10
    elsewhere), so its cost stays unknown (research section 11)."""
    return dict(
        backends=(ReplicateVideo(model_ref="google/veo-3.1",
                                 image_field="image" if image else None,
                                 needs_prompt=True),),
        params=(
            Param("duration", CHOICE, default=8, choices=(4, 6, 8), help="Seconds of video"),
            Param("resolution", CHOICE, default="1080p", choices=("720p", "1080p"),
                  help="Video resolution"),
            *_aspect(image, ("16:9", "9:16"), "Landscape or portrait"),
            Param("generate_audio", BOOL, default=True, label="Audio",
                  help="Generate sound with the video"),
            NEGATIVE_PROMPT,
        ),
    )


def hailuo_02(image):
    return dict(
        backends=(ReplicateVideo(model_ref="minimax/hailuo-02",
                                 image_field="first_frame_image" if image else None,
                                 needs_prompt=True, takes_seed=False,
                                 only_with=HAILUO_10S,
                                 # 512p: its sources disagree, so no price (unknown)
                                 price=video_price(
                                     "https://replicate.com/minimax/hailuo-02",
                                     {("768p",): 0.045, ("1080p",): 0.08})),),
        params=(
            Param("duration", CHOICE, default=6, choices=(6, 10),
                  help="Seconds of video (10 s at 768p only)"),
            Param("resolution", CHOICE, default="1080p", choices=("512p", "768p", "1080p"),
                  help="512p or 768p: standard; 1080p: pro (higher quality too)"),
            Param("prompt_optimizer", BOOL, default=True, label="Optimize prompt",
                  help="Let MiniMax rewrite the prompt"),
        ),
    )


def kling_v25_turbo_pro(image):
    return dict(
        backends=(ReplicateVideo(model_ref="kwaivgi/kling-v2.5-turbo-pro",
                                 image_field="start_image" if image else None,
                                 needs_prompt=True, takes_seed=False,
                                 price=video_price(
                                     "https://replicate.com/kwaivgi/kling-v2.5-turbo-pro",
                                     {(): 0.07}, by=())),),
        params=(
            Param("duration", CHOICE, default=5, choices=(5, 10), help="Seconds of video"),
            *_aspect(image, ("16:9", "9:16", "1:1"), "Landscape, portrait or square"),
            NEGATIVE_PROMPT,
        ),
    )


# What Replicate bills per second of Seedance 1 output video, by resolution
SEEDANCE_1_RATES = {
    "bytedance/seedance-1-lite": {("480p",): 0.018, ("720p",): 0.036, ("1080p",): 0.072},
    "bytedance/seedance-1-pro": {("480p",): 0.03, ("720p",): 0.06, ("1080p",): 0.15},
}


def seedance_1(ref, default_resolution, image):
    """ByteDance's Seedance 1 Lite and Pro (one schema, section 2)."""
    aspect = " (aspect follows the image)" if image else ""
    return dict(
        backends=(ReplicateVideo(model_ref=ref, image_field="image" if image else None,
                                 needs_prompt=True,
                                 price=video_price(f"https://replicate.com/{ref}",
                                                   SEEDANCE_1_RATES[ref])),),
        params=(
            Param("duration", INT, default=5, min=2, max=12, help="Seconds of video"),
            Param("resolution", CHOICE, default=default_resolution,
                  choices=("480p", "720p", "1080p"), help=f"Video resolution{aspect}"),
            Param("camera_fixed", BOOL, default=False, help="Keep the camera still"),
        ),
    )
