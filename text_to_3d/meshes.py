"""Reading, checking and converting mesh files (GLB, PLY, OBJ) with trimesh.

Axis conventions: glTF is +Y up by its specification; Shap-E works +Z up.
Meshes we write as GLB are turned to +Y up so every glTF viewer stands them
upright; PLY and OBJ keep the model's own axes and say which is up.
"""

import io

MESH_EXTS = ("glb", "gltf", "ply", "obj")
Y_UP, Z_UP = "Y", "Z"


def default_up(ext):
    """The up axis of a mesh file that does not say: +Y for glTF (its
    specification), +Z otherwise (Shap-E's and most scanners' convention)."""
    return Y_UP if ext in ("glb", "gltf") else Z_UP


def load_scene(data, ext):
    """A trimesh Scene from mesh file bytes; raises ValueError with what went
    wrong when they do not load or hold no triangles."""
    import trimesh

    try:
        scene = trimesh.load(io.BytesIO(data), file_type=ext, force="scene",
                             process=False)
    except Exception as e:
        raise ValueError(f"the {ext} mesh does not load: {e}") from None
    meshes = [g for g in scene.geometry.values()
              if isinstance(g, trimesh.Trimesh) and len(g.faces)]
    if not meshes:
        raise ValueError(f"the {ext} mesh has no triangles")
    return scene


def camera_framing(scene, up):
    """(position, look_at) for a camera that shows the whole mesh (a loaded
    scene) from a three-quarter view above it; the App's default camera sits
    too close to small meshes and shows a wall of colour."""
    lo, hi = scene.bounds
    center = (lo + hi) / 2
    reach = 1.8 * float(max(hi - lo)) or 1.0
    offset = (reach, 0.6 * reach, reach) if up == Y_UP else (reach, -reach, 0.6 * reach)
    return [float(c + o) for c, o in zip(center, offset)], [float(c) for c in center]


def describe(scene):
    """``{"vertex_count", "face_count", "vertex_colors"}`` of a loaded scene."""
    import trimesh

    meshes = [g for g in scene.geometry.values() if isinstance(g, trimesh.Trimesh)]
    return {
        "vertex_count": int(sum(len(m.vertices) for m in meshes)),
        "face_count": int(sum(len(m.faces) for m in meshes)),
        "vertex_colors": any(getattr(m.visual, "kind", None) == "vertex"
                             for m in meshes),
    }


def z_up_to_y_up(vertices):
    """Rotates +Z-up coordinates to glTF's +Y up: (x, y, z) -> (x, z, -y)."""
    import numpy as np

    vertices = np.asarray(vertices)
    return np.stack([vertices[:, 0], vertices[:, 2], -vertices[:, 1]], axis=1)


def colored_mesh(vertices, faces, colors):
    """A trimesh with per-vertex RGB(A) colours (uint8 or floats in 0..1)."""
    import numpy as np
    import trimesh

    colors = np.asarray(colors)
    if colors.dtype.kind == "f":
        colors = np.clip(np.round(colors * 255), 0, 255).astype(np.uint8)
    if colors.shape[1] == 3:
        alpha = np.full((len(colors), 1), 255, dtype=np.uint8)
        colors = np.concatenate([colors, alpha], axis=1)
    return trimesh.Trimesh(vertices=np.asarray(vertices), faces=np.asarray(faces),
                           vertex_colors=colors, process=False)


def to_glb(data, ext, up=Z_UP):
    """GLB bytes of a mesh file (OBJ, PLY), vertex colours kept, turned to
    +Y up when ``up`` is Z."""
    import trimesh

    scene = load_scene(data, ext)
    mesh = trimesh.util.concatenate([
        g for g in scene.dump() if isinstance(g, trimesh.Trimesh)])
    if up == Z_UP:
        mesh.vertices = z_up_to_y_up(mesh.vertices)
    return mesh.export(file_type="glb")
