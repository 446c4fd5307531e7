"""Options every video model shares, declared once for both video tasks, and
the recipes (recommended negative prompts) of the local video models."""

from dataclasses import dataclass

from ..core.params import CHOICE, HEIGHT, INT, WIDTH, Param
from .memory import MEMORY_MODES

LOCAL, HOSTED = ("diffusers",), ("replicate",)


@dataclass(frozen=True)
class FrameCount(Param):
    """``num_frames`` for models whose VAE packs ``per_latent`` frames into
    one latent: counts must be ``per_latent * k + 1``."""

    per_latent: int = 1

    def coerce(self, value):
        value = super().coerce(value)
        if value is not None and self.per_latent > 1 and (value - 1) % self.per_latent:
            below = (value - 1) // self.per_latent * self.per_latent + 1
            raise ValueError(
                f"{self.name} must be {self.per_latent}k+1 (e.g. {below} or "
                f"{below + self.per_latent}); got {value}")
        return value

    def describe_range(self):
        text = super().describe_range()
        return f"{text}, {self.per_latent}k+1" if self.per_latent > 1 else text


NUM_FRAMES = Param("num_frames", INT, min=2, max=50, label="Frames",
                   help="Frames in the video")
FPS = Param("fps", INT, min=5, max=30, label="Frames per second",
            help="Playback rate of the video")
MEMORY = Param(
    "memory", CHOICE, default="auto", choices=MEMORY_MODES, backends=LOCAL,
    label="GPU memory",
    help="auto picks from free GPU memory; low: model CPU offload, forward "
    "chunking, small decode chunks, VAE tiling; fast: all on the GPU")


def frame_size(width, height, *, multiple_of, max=1280, backends=()):
    """Width and height of the video, with the model's native default."""
    return (
        WIDTH.with_(default=width, min=64, max=max, multiple_of=multiple_of,
                    help="Video width in pixels", backends=backends),
        HEIGHT.with_(default=height, min=64, max=max, multiple_of=multiple_of,
                     help="Video height in pixels", backends=backends),
    )


# LTX-Video packs 8 frames per latent, Wan 4 (their VAEs' temporal compression)
LTX_NUM_FRAMES = FrameCount("num_frames", INT, default=161, min=9, max=257, per_latent=8,
                            label="Frames", help="Frames in the video")
WAN_NUM_FRAMES = FrameCount("num_frames", INT, default=81, min=5, max=121, per_latent=4,
                            label="Frames", help="Frames in the video", backends=LOCAL)

# the negative prompts diffusers' LTX-Video and Wan docs run with (used when the
# user gives none; docs/providers-research.md section 9)
LTX_NEGATIVE = "worst quality, inconsistent motion, blurry, jittery, distorted"
WAN_NEGATIVE = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, "
    "paintings, images, static, overall gray, worst quality, low quality, JPEG "
    "compression residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly "
    "drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, "
    "messy background, three legs, many people in the background, walking backwards")

# Hailuo 02 on Replicate: "10 seconds is only available for 768p resolution"
# (its schema's description of ``duration``); a HostedBackend ``only_with`` rule
HAILUO_10S = ((("duration", 10), ("resolution", ("768p",))),)
