"""Wrapping a mesh file in a ``.fo3d`` scene, which makes it a FiftyOne 3D
sample that the App opens in its 3D viewer."""

import json
import os

from ..core import media
from .meshes import Y_UP

MESH_NODE = "mesh"


def mesh_node(path, ext):
    """The scene node for a mesh file; ``path`` is relative to the scene."""
    import fiftyone as fo

    if ext in ("glb", "gltf"):
        return fo.GltfMesh(MESH_NODE, path)
    if ext == "ply":
        return fo.PlyMesh(MESH_NODE, path)
    if ext == "obj":
        return fo.ObjMesh(MESH_NODE, path)
    raise ValueError(f"no FiftyOne 3D node for .{ext} meshes")


def write_scene(folder, stem, mesh_path, ext, up=Y_UP, framing=None):
    """Writes ``<folder>/<stem>-<id>.fo3d`` atomically: one mesh, seen with
    the camera's up axis set to the mesh's own (glTF: Y; Shap-E: Z) and, with
    ``framing`` (position, look_at), placed to show all of it. The mesh is
    referenced by its name beside the scene, so the folder can move."""
    import fiftyone as fo

    position, look_at = framing or (None, None)
    scene = fo.Scene(camera=fo.PerspectiveCamera(up=up, position=position,
                                                 look_at=look_at))
    scene.add(mesh_node(os.path.basename(mesh_path), ext))
    data = json.dumps(scene.as_dict()).encode()
    return media.write_atomic(folder, stem, "fo3d", data)
