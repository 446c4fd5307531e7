"""Tiny random-weight image-edit pipelines under the real hub repo ids.

SD 1.5 and SDXL edits load the text-to-image repos (their tiny pipelines
come from :mod:`tiny.text_to_image`): diffusers' auto pipelines turn them
into img2img and inpainting pipelines. FLUX.1 Kontext [dev] is the tiny
FLUX.1 [dev] pipeline's components (guidance embeddings on) saved as a
``FluxKontextPipeline``, as the real repo's model_index.json names it.
"""

try:
    from .hub_cache import install_built
    from .text_to_image import build_flux, install_text_to_image
except ImportError:  # pragma: no cover - imported as a top-level module
    from hub_cache import install_built  # type: ignore
    from text_to_image import build_flux, install_text_to_image  # type: ignore

SD15 = "stable-diffusion-v1-5/stable-diffusion-v1-5"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
KONTEXT = "black-forest-labs/FLUX.1-Kontext-dev"


def build_flux_kontext():
    from diffusers import FluxKontextPipeline

    return FluxKontextPipeline(**build_flux("black-forest-labs/FLUX.1-dev").components)


BUILDERS = {KONTEXT: build_flux_kontext}


def install_image_edit(cache_dir):
    """Writes every tiny edit pipeline into the hub cache ``cache_dir``."""
    out = install_text_to_image(cache_dir, [SD15, SDXL])
    out.update(install_built(cache_dir, BUILDERS, list(BUILDERS), "image-edit"))
    return out
