"""Tiny random-weight Shap-E pipelines (text-to-3D and image-to-3D) for offline tests.

``install_mesh(cache_dir)`` writes ``openai/shap-e`` (ShapEPipeline) and
``openai/shap-e-img2img`` (ShapEImg2ImgPipeline) into a Hugging Face hub cache
laid out like the real one, so that, with ``HF_HUB_OFFLINE=1`` and
``HF_HUB_CACHE=<cache_dir>`` set *before* huggingface_hub/diffusers are imported,

    ShapEPipeline.from_pretrained("openai/shap-e", torch_dtype=torch.float32)

loads them unchanged.

Two things make a random Shap-E useless and are fixed here:

* The marching-cubes lookup table of ``MeshDecoder`` lives in zero-filled
  buffers (``renderer.mesh_decoder.cases`` / ``.masks``) that the real
  checkpoint fills; with zeros every mesh is empty.  ``marching_cubes_table()``
  computes a consistent table (edge numbering of diffusers'
  ``_create_flat_edge_indices``, watertight, outward-facing triangles) in ~15 ms.
* Random renderer weights give a noisy signed-distance field on the fixed
  128^3 grid, i.e. meshes with hundreds of thousands of vertices.  The tiny
  renderer is *steered*: the parameter projection (``params_proj``) yields
  hand-made MLP weights plus a small latent-dependent perturbation, so the SDF
  is a smooth blob of radius ~0.35 (about 7k-15k vertices) whose shape and
  colours still depend on the seed, and the NeRF head renders the same coloured
  blob on a white background for ``output_type="pil"/"np"``.

Run with ``num_inference_steps=2, frame_size=32`` (20*frame_size**2 must be
divisible by 4096: 32 works, 64 and 128 too).  On 2 CPU cores
``output_type="mesh"`` takes 1.3-4 s and ``output_type="pil"`` 3-7 s, nearly
all of it the NeRF positional encoding of the fixed 128^3 grid / 20x32x32 rays x
192 samples, which no weight choice can shrink.  The tiny renderer has 4 hidden
layers and no view-direction input (the real one: 6, direction at layer 4),
which halves that cost; pipelines and call arguments are unchanged.
"""

from __future__ import annotations

from typing import Iterable

from .text_to_image import clip_tokenizer

SHAP_E = "openai/shap-e"
SHAP_E_IMG2IMG = "openai/shap-e-img2img"
MESH_REPOS = (SHAP_E, SHAP_E_IMG2IMG)

# Fast call parameters that work with the tiny pipelines on CPU.
FAST_KWARGS = {"num_inference_steps": 2, "frame_size": 32, "guidance_scale": 3.0}

# --- tiny sizes -----------------------------------------------------------------------
_D_HIDDEN = 16  # renderer MLP width (real: 256)
_EMB_DIM = 32  # prior embedding_dim == renderer d_latent (real: 1024)
_NUM_EMB = 4 * _D_HIDDEN  # one latent vector per projected weight row (real: 1024)
_TEXT_DIM = 32
_BIG = 10.0  # offset that keeps carried values in SiLU's ~linear range
_BLOB_A = 2.0  # g(u) = silu(a*x) + silu(-a*x) = a*x*tanh(a*x/2) ~ (a*x)^2/2
_BLOB_C = 0.235  # iso level: surface where sum_i g(a*x_i) == C  (radius ~0.35)
_SHAPE_JITTER = 0.3  # latent-dependent perturbation of the xyz weights of layer 0
_COLOR_GAIN = 3.0


# --- marching cubes --------------------------------------------------------------------
# Corner c of a cube sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1): that is the bit
# order of MeshDecoder's bitmask.  Local edge numbering follows
# diffusers.pipelines.shap_e.renderer._create_flat_edge_indices.
_EDGES = (
    (0, 1), (2, 3), (4, 5), (6, 7),  # along x at (y,z) = 00, 10, 01, 11
    (0, 2), (1, 3), (4, 6), (5, 7),  # along y at (x,z) = 00, 10, 01, 11
    (0, 4), (1, 5), (2, 6), (3, 7),  # along z at (x,y) = 00, 10, 01, 11
)


def _corner(c):
    return (c & 1, (c >> 1) & 1, (c >> 2) & 1)


def _faces():
    """The 6 faces as corner cycles, counter-clockwise seen from outside."""
    import numpy as np

    faces = []
    for axis in range(3):
        for side in (0, 1):
            corners = [c for c in range(8) if _corner(c)[axis] == side]
            normal = np.zeros(3)
            normal[axis] = 1.0 if side else -1.0
            center = np.mean([_corner(c) for c in corners], axis=0)
            # sort by angle around the face normal
            u = np.zeros(3)
            u[(axis + 1) % 3] = 1.0
            v = np.cross(normal, u)
            ang = [np.arctan2(np.dot(np.array(_corner(c)) - center, v), np.dot(np.array(_corner(c)) - center, u))
                   for c in corners]
            faces.append([c for _, c in sorted(zip(ang, corners))])
    return faces


def _triangulate(loop, shares_face):
    """Triangulate a polygon loop so that no inner diagonal joins two vertices
    lying on one cube face (the neighbouring cube could use the same diagonal,
    making a non-manifold edge).  Returns a list of triangles or None."""
    n = len(loop)
    if n < 3:
        return None
    if n == 3:
        return [list(loop)]
    a, b = loop[0], loop[1]
    for k in range(2, n):
        c = loop[k]
        # diagonals created: (b, c) unless adjacent, (c, a) unless adjacent
        if k != 2 and shares_face(b, c):
            continue
        if k != n - 1 and shares_face(c, a):
            continue
        left = loop[1 : k + 1]  # b .. c
        right = [c] + loop[k + 1 :] + [a]  # c .. a
        tl = [] if len(left) < 3 else _triangulate(left, shares_face)
        tr = [] if len(right) < 3 else _triangulate(right, shares_face)
        if tl is None or tr is None:
            continue
        return [[a, b, c]] + tl + tr
    return None


# The loops above run so that the inside region is on their left seen from outside the
# cube; reversing them makes triangle normals point from inside (field > 0) to outside.
_FLIP = True


def marching_cubes_table():
    """Return ``(cases, masks)``: long [256, 5, 3] and bool [256, 5] tensors.

    A corner is *inside* when the field is > 0 (Shap-E's convention).  On every
    face, inside corners that only touch diagonally are kept apart, which gives
    the same decision from both cubes sharing the face: the mesh is watertight.
    Triangles are oriented so that their normals point outwards (trimesh
    reports a positive volume).
    """
    import torch

    edge_of = {frozenset(e): i for i, e in enumerate(_EDGES)}
    faces = _faces()
    face_sets = [set(f) for f in faces]

    def shares_face(e1, e2):
        corners = set(_EDGES[e1]) | set(_EDGES[e2])
        return any(corners <= f for f in face_sets)

    cases = torch.zeros(256, 5, 3, dtype=torch.long)
    masks = torch.zeros(256, 5, dtype=torch.bool)
    for case in range(256):
        inside = [(case >> c) & 1 for c in range(8)]
        nxt = {}  # directed segments: edge -> edge
        for cyc in faces:
            for k in range(4):
                c, prev_c = cyc[k], cyc[k - 1]
                if inside[c] and not inside[prev_c]:
                    # start of a run of inside corners; find its end
                    j = k
                    while inside[cyc[(j + 1) % 4]]:
                        j = (j + 1) % 4
                    enter = edge_of[frozenset((prev_c, c))]
                    leave = edge_of[frozenset((cyc[j], cyc[(j + 1) % 4]))]
                    assert leave not in nxt
                    nxt[leave] = enter
        tris = []
        seen = set()
        for start in sorted(nxt):
            if start in seen:
                continue
            loop = [start]
            seen.add(start)
            e = nxt[start]
            while e != start:
                loop.append(e)
                seen.add(e)
                e = nxt[e]
            tri = _triangulate(loop, shares_face)
            assert tri is not None, (case, loop)
            tris.extend(tri)
        if _FLIP:
            tris = [[t[0], t[2], t[1]] for t in tris]
        assert len(tris) <= 5, (case, tris)
        for i, t in enumerate(tris):
            cases[case, i] = torch.tensor(t)
            masks[case, i] = True
    return cases, masks


# --- tokenizer (no hub) ----------------------------------------------------------------
# --- components ----------------------------------------------------------------------------
def _scheduler():
    from diffusers import HeunDiscreteScheduler

    # same config as the real openai/shap-e scheduler
    return HeunDiscreteScheduler(
        beta_schedule="exp",
        num_train_timesteps=1024,
        prediction_type="sample",
        use_karras_sigmas=True,
        clip_sample=True,
        clip_sample_range=1.0,
    )


def _prior(embedding_proj_dim, image):
    from diffusers import PriorTransformer

    kw = dict(
        num_attention_heads=2,
        attention_head_dim=16,
        embedding_dim=_EMB_DIM,
        num_embeddings=_NUM_EMB,
        embedding_proj_dim=embedding_proj_dim,
        time_embed_dim=4 * _EMB_DIM,
        num_layers=1,
        clip_embed_dim=2 * _EMB_DIM,
        additional_embeddings=0,
        time_embed_act_fn="gelu",
        norm_in_type="layer",
        encoder_hid_proj_type=None,
        added_emb_type=None,
    )
    if image:
        kw["embedding_proj_norm_type"] = "layer"
    return PriorTransformer(**kw)


def _steered_renderer():
    """ShapERenderer whose weights turn any latent into a smooth coloured blob."""
    import torch
    from diffusers.pipelines.shap_e import ShapERenderer

    H = _D_HIDDEN
    torch.manual_seed(0)
    r = ShapERenderer(
        param_shapes=((H, 93), (H, H), (H, H), (H, H)),
        d_latent=_EMB_DIM,
        d_hidden=H,
        n_output=12,
        # real: 6 hidden layers with the view direction inserted at layer 4; 4 layers
        # (the projected ones) and no direction input halve the cost of the 128^3 query
        n_hidden_layers=4,
        insert_direction_at=None,
        background=(255.0, 255.0, 255.0),
    )
    mlp = r.mlp.mlp  # 5 Linear layers: weights of 0..3 come from params_proj, 4 is the head
    B, a, C = _BIG, _BLOB_A, _BLOB_C
    with torch.no_grad():
        W = [torch.zeros_like(l.weight) for l in mlp]
        bias = [torch.zeros_like(l.bias) for l in mlp]
        # layer 0: +-a*x_i (units 0..5) and x_i + B (units 6..8, colour carriers)
        for i in range(3):
            W[0][2 * i, i] = a
            W[0][2 * i + 1, i] = -a
            W[0][6 + i, i] = 1.0
            bias[0][6 + i] = B
        # layer 1: unit 0 = S + B with S = sum_i g(a x_i); carry 6..8
        W[1][0, :6] = 1.0
        bias[1][0] = B
        for k in range(1, len(mlp) - 1):
            for u in (0, 6, 7, 8):
                if k > 1 or u != 0:
                    W[k][u, u] = 1.0
        # output layer (no activation): sdf, densities, colours
        out = len(mlp) - 1
        W[out][0, 0] = -4.0
        bias[out][0] = 4.0 * (C + B)  # tanh(4 (C - S)) > 0 inside
        for ch in (1, 2):
            W[out][ch, 0] = -60.0
            bias[out][ch] = 60.0 * (C + B)  # relu: opaque inside the blob
        for base in (3, 6, 9):  # stf, nerf_coarse, nerf_fine: colour from x, y, z
            for i in range(3):
                W[out][base + i, 6 + i] = _COLOR_GAIN
                bias[out][base + i] = -_COLOR_GAIN * B
        for k, layer in enumerate(mlp):
            layer.weight.copy_(W[k])
            layer.bias.copy_(bias[k])
        # params_proj: weights of layers 0..3 = LayerNorm(latent proj) * gamma + beta + bias
        for k, name in enumerate(r.params_proj.config.param_names):
            proj = r.params_proj.projections[name.replace(".", "__")]
            proj.norm.bias.zero_()
            proj.norm.weight.zero_()
            if k == 0:
                proj.norm.weight[:3] = _SHAPE_JITTER  # smooth, seed-dependent shape/colour
            proj.proj.bias.copy_(W[k].reshape(-1))
        cases, masks = marching_cubes_table()
        r.mesh_decoder.cases.copy_(cases)
        r.mesh_decoder.masks.copy_(masks)
    return r


def build_shap_e():
    import torch
    from diffusers import ShapEPipeline
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection

    tokenizer = clip_tokenizer()
    torch.manual_seed(0)
    text_encoder = CLIPTextModelWithProjection(
        CLIPTextConfig(
            bos_token_id=0, eos_token_id=1, pad_token_id=1, vocab_size=516,
            hidden_size=_TEXT_DIM, projection_dim=_TEXT_DIM, intermediate_size=37,
            num_attention_heads=4, num_hidden_layers=2, max_position_embeddings=77,
        )
    )
    torch.manual_seed(0)
    prior = _prior(_TEXT_DIM, image=False)
    return ShapEPipeline(
        prior=prior, text_encoder=text_encoder, tokenizer=tokenizer,
        scheduler=_scheduler(), shap_e_renderer=_steered_renderer(),
    )


def build_shap_e_img2img():
    import torch
    from diffusers import ShapEImg2ImgPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    torch.manual_seed(0)
    # the pipeline's CLIPImageProcessor resizes to 224: the encoder must take 224
    image_encoder = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=_TEXT_DIM, projection_dim=_TEXT_DIM, intermediate_size=37,
            num_attention_heads=4, num_hidden_layers=2, image_size=224, patch_size=32,
        )
    )
    image_processor = CLIPImageProcessor(
        crop_size=224, size=224, do_center_crop=True, do_normalize=True, do_resize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073],
        image_std=[0.26862954, 0.26130258, 0.27577711], resample=3,
    )
    torch.manual_seed(0)
    prior = _prior(_TEXT_DIM, image=True)
    return ShapEImg2ImgPipeline(
        prior=prior, image_encoder=image_encoder, image_processor=image_processor,
        scheduler=_scheduler(), shap_e_renderer=_steered_renderer(),
    )


MESH_BUILDERS = {SHAP_E: build_shap_e, SHAP_E_IMG2IMG: build_shap_e_img2img}


def install_mesh(cache_dir, repo_ids: Iterable[str] | None = None) -> dict:
    """Write tiny Shap-E pipelines into the hub cache ``cache_dir``.

    Uses ``tests/tiny/hub_cache.save_to_hub_cache`` (blobs + symlinked snapshots +
    trees/<commit>.json, as huggingface_hub 2.x).  Returns ``{repo_id: snapshot Path}``.
    ``repo_ids`` defaults to MESH_REPOS.
    """
    from .hub_cache import install_built

    return install_built(cache_dir, MESH_BUILDERS, repo_ids or MESH_REPOS, "mesh")
