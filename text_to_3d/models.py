"""Text-to-3D and image-to-3D models: each declared once, with every backend
that runs it.

Sources for refs, versions, inputs and ranges: docs/providers-research.md
(Replicate model schemas and cogs, Stability's 3D endpoints, diffusers'
Shap-E pipelines).
"""

from ..core.backends.stability_api import API_REFERENCE, Stability, credits
from ..core.catalog import RETIRED, Model
from ..core.params import (
    BOOL, CHOICE, FLOAT, GUIDANCE, INT, JSON, NUM_IMAGES, STEPS, STR, Param,
)
from ..text_to_image.models import MODELS as IMAGE_MODELS
from .chain import AUTO, Chain
from .hosted import ReplicateMesh
from .local import ShapE

SHAP_E_REF = "cjwbw/shap-e:5957069d5c509126a73c7cb68abcddbb985aeefa4d318e7c63ec1352ce6da68c"

NUM_MESHES = NUM_IMAGES.with_(max=4, label="Meshes", help="Meshes per input")
FRAME_SIZE = Param(
    "frame_size", INT, default=128, min=32, max=512, multiple_of=32,
    help="Size in pixels of the turntable preview frames")
MESH_FORMAT = Param(
    "mesh_format", CHOICE, default="glb", choices=("glb", "ply"),
    help="GLB (vertex colours, +Y up) or PLY (Shap-E's own +Z up)",
    backends=("diffusers",))
RENDER_MODE = Param(
    "render_mode", CHOICE, default="nerf", choices=("nerf", "stf"),
    help="How Replicate renders the preview GIF", backends=("replicate",))
TEXTURE_RESOLUTION = Param(
    "texture_resolution", CHOICE, default="1024", choices=("512", "1024", "2048"),
    help="Texture size in pixels")
REMESH = Param(
    "remesh", CHOICE, default="none", choices=("none", "triangle", "quad"),
    help="Remesh the output into triangles or quads")


def replicate_shap_e(**kwargs):
    """chenxwh's Shap-E cog: a GIF turntable and an OBJ (save_mesh) per item;
    no seed or step count inputs. Its OBJ is turned into a GLB so the App
    shows its vertex colours."""
    return ReplicateMesh(
        model_ref=SHAP_E_REF, batch_field="batch_size", max_batch=1,
        fixed={"save_mesh": True},
        takes_seed=False,
        fields={"num_inference_steps": None, "mesh_format": None,
                "frame_size": "render_size"},
        output_pick=(".obj", ".gif"), up_axis="Z", convert_to_glb=True, **kwargs)


# text to 3D -------------------------------------------------------------------

SHAP_E = Model(
    "shap-e", "Shap-E", "txt2mesh",
    summary="OpenAI's text-to-3D: coloured meshes in seconds on a GPU",
    backends=(
        ShapE(repo="openai/shap-e", pipeline="ShapEPipeline", variant="fp16"),
        replicate_shap_e(),
    ),
    params=(GUIDANCE.with_(default=15.0, help="How strongly the shape follows the prompt"),
            STEPS.with_(default=64, max=256, backends=("diffusers",)),
            FRAME_SIZE, MESH_FORMAT, RENDER_MODE, NUM_MESHES),
)

# image to 3D ------------------------------------------------------------------

SHAP_E_IMG2IMG = Model(
    "shap-e-img2img", "Shap-E (image to 3D)", "img2mesh",
    summary="OpenAI's image-to-3D: a coloured mesh from one picture",
    backends=(
        ShapE(repo="openai/shap-e-img2img", pipeline="ShapEImg2ImgPipeline",
              variant="fp16"),
        replicate_shap_e(image_field="image"),
    ),
    params=(GUIDANCE.with_(default=3.0, help="How strongly the shape follows the image"),
            STEPS.with_(default=64, max=256, backends=("diffusers",)),
            FRAME_SIZE, MESH_FORMAT, RENDER_MODE, NUM_MESHES),
)

# Stability's 3D endpoints: every side at least 64 px, 4,096 to 4,194,304
# pixels (docs/schemas/stability, x-multigen-image)
STABILITY_3D_SOURCE = dict(min_source_side=64, max_source_pixels=4_194_304)

STABLE_FAST_3D = Model(
    "stable-fast-3d", "Stable Fast 3D", "img2mesh",
    summary="Stability AI: a textured, UV-unwrapped GLB from one image in about a second",
    backends=(Stability(endpoint="3d/stable-fast-3d", accept="*/*", output_ext="glb",
                        takes_seed=False, takes_prompt=False, **STABILITY_3D_SOURCE,
                        price=credits(10, unit="mesh", source=API_REFERENCE)),),
    params=(TEXTURE_RESOLUTION,
            Param("foreground_ratio", FLOAT, default=0.85, min=0.1, max=1.0,
                  help="How much of the frame the object fills after padding"),
            REMESH,
            Param("vertex_count", INT, default=-1, min=-1, max=20000,
                  help="Target vertex count (-1: no limit)")),
    # deterministic, no seed: one mesh per image
    batched=False,
)

STABLE_POINT_AWARE_3D = Model(
    "stable-point-aware-3d", "Stable Point Aware 3D", "img2mesh",
    summary="Stability AI's SPAR3D: point-cloud guided, sees the unseen back better",
    backends=(Stability(endpoint="3d/stable-point-aware-3d", accept="*/*",
                        output_ext="glb", takes_prompt=False,
                        # 640 px a side: see docs/schemas/stability (L)
                        **dict(STABILITY_3D_SOURCE, min_source_side=640),
                        price=credits(4, unit="mesh", source=API_REFERENCE)),),
    params=(TEXTURE_RESOLUTION,
            Param("foreground_ratio", FLOAT, default=1.3, min=1.0, max=2.0,
                  help="Padding around the object"),
            REMESH,
            Param("target_type", CHOICE, default="none", choices=("none", "vertex", "face"),
                  help="Simplify to a vertex or face count"),
            Param("target_count", INT, default=1000, min=100, max=20000,
                  help="The vertex or face count to simplify to"),
            GUIDANCE.with_(default=3.0, min=1.0, max=10.0,
                           help="How strongly the point cloud follows the image"),
            NUM_MESHES),
)

TRELLIS = Model(
    "trellis", "TRELLIS", "img2mesh",
    summary="Microsoft's structured-latent 3D: detailed textured GLBs (Replicate)",
    backends=(
        ReplicateMesh(
            model_ref="firtoz/trellis:e8f6c45206993f297372f5436b90350817bd9b4a0d52d2a76df50c1c8afa2b3c",
            images_field="images", output_pick=("model_file",), takes_prompt=False,
            # the GLB only: no turntable video, point cloud or cut-outs
            fixed={"generate_model": True, "generate_color": False,
                   "generate_normal": False, "save_gaussian_ply": False,
                   "return_no_background": False, "randomize_seed": False}),
    ),
    params=(Param("texture_size", INT, default=1024, min=512, max=2048,
                  help="Texture size in pixels"),
            Param("mesh_simplify", FLOAT, default=0.95, min=0.9, max=0.98,
                  help="Share of triangles removed when simplifying"),
            Param("ss_sampling_steps", INT, default=12, min=1, max=50,
                  label="Structure steps", help="Sampling steps of the sparse structure"),
            Param("ss_guidance_strength", FLOAT, default=7.5, min=0.0, max=10.0,
                  label="Structure guidance"),
            Param("slat_sampling_steps", INT, default=12, min=1, max=50,
                  label="Latent steps", help="Sampling steps of the structured latent"),
            Param("slat_guidance_strength", FLOAT, default=3.0, min=0.0, max=10.0,
                  label="Latent guidance"),
            NUM_MESHES),
)

HUNYUAN3D_21 = Model(
    "hunyuan3d-2.1", "Hunyuan3D 2.1", "img2mesh",
    summary="Tencent's Hunyuan3D 2.1: high-resolution shape with PBR textures (Replicate)",
    backends=(
        ReplicateMesh(
            # the version public code runs (06ccdcbe appears in no public
            # source); its output is published by no schema: callers meet a
            # bare URL, a list and {"mesh": url}, and the pick keeps all three
            model_ref="ndreca/hunyuan3d-2.1:895e514f953d39e8b5bfb859df9313481ad3fa3a8631e5c54c7e5c9c85a6aa9f",
            image_field="image", output_pick=("mesh", ".glb"), takes_prompt=False,
            fields={"num_inference_steps": "steps"}),
    ),
    params=(STEPS.with_(default=50, min=5, max=50),
            GUIDANCE.with_(default=7.5, min=1.0, max=20.0,
                           help="How strongly the shape follows the image"),
            Param("max_facenum", INT, default=20000, min=10000, max=200000,
                  label="Max faces", help="The most triangles the mesh may have"),
            Param("generate_texture", BOOL, default=True, help="Paint PBR textures"),
            Param("remove_background", BOOL, default=True,
                  help="Cut the object out of its background first"),
            NUM_MESHES),
)

IMG2MESH_MODELS = (SHAP_E_IMG2IMG, STABLE_FAST_3D, STABLE_POINT_AWARE_3D, TRELLIS,
                   HUNYUAN3D_21)

# text -> image -> 3D ------------------------------------------------------------


def _ids(models):
    # models with a shutdown date stay listed (the README and form do not
    # change by the calendar); the chain refuses them once they are retired
    return tuple(m.id for m in models if m.status != RETIRED)


def step_options_help(example):
    """Help for a step's options, with an example its default model takes
    (a test checks that it does)."""
    return f"options as JSON, e.g. {example}; blank for its defaults"


IMAGE_OPTIONS_EXAMPLE = '{"num_inference_steps": 4}'
MESH_OPTIONS_EXAMPLE = '{"remesh": "quad"}'

VIA_IMAGE = Model(
    "via-image", "Text → image → 3D", "txt2mesh",
    summary="Any text-to-image model, then any image-to-3D model on its picture: "
    "today's best meshes from a prompt; the picture is kept",
    backends=(Chain(),),
    params=(
        Param("image_model", CHOICE, default="flux-schnell", choices=_ids(IMAGE_MODELS),
              label="Image model", help="The text-to-image model that draws the object",
              models_of="txt2img"),
        Param("image_backend", CHOICE, default=AUTO,
              choices=(AUTO, "diffusers", "replicate", "openai", "stability"),
              label="Image model runs on", help="auto: the first ready backend",
              backends_of="image_model"),
        Param("image_options", JSON, label="Image model options",
              help=f"The image model's {step_options_help(IMAGE_OPTIONS_EXAMPLE)}"),
        Param("image_prompt_suffix", STR,
              default=", a single object, centered, whole object in view, "
              "plain white background",
              label="Image prompt suffix",
              help="Added to each prompt: image-to-3D models want one clean object "
              "(blank for none)", blank_is_value=True),
        Param("mesh_model", CHOICE, default="stable-fast-3d", choices=_ids(IMG2MESH_MODELS),
              label="3D model", help="The image-to-3D model that builds the mesh",
              models_of="img2mesh"),
        Param("mesh_backend", CHOICE, default=AUTO,
              choices=(AUTO, "diffusers", "replicate", "stability"),
              label="3D model runs on", help="auto: the first ready backend",
              backends_of="mesh_model"),
        Param("mesh_options", JSON, label="3D model options",
              help=f"The 3D model's {step_options_help(MESH_OPTIONS_EXAMPLE)}"),
        NUM_MESHES.with_(help="Meshes per prompt"),
    ),
)

# the chain first: it makes the best meshes from a prompt today
MODELS = (*IMG2MESH_MODELS, VIA_IMAGE, SHAP_E)
