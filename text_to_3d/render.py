"""A small software renderer: a turntable GIF of a mesh, for the ``preview``
slice of meshes whose provider sends no picture (Stability, TRELLIS,
Hunyuan3D).

No OpenGL is needed (servers and CI have none): triangles are projected
orthographically, shaded flat (two-sided Lambert with the mesh's own
colours) and painted back to front with Pillow. Local Shap-E does not use
this: its preview comes from Shap-E's own renderer.
"""

import io
import math

from .meshes import Y_UP

SIZE = 256
SUPERSAMPLE = 2
MAX_FRAMES = 12
# total triangles painted for one preview; big meshes get fewer frames
POLYGON_BUDGET = 400_000
ELEVATION = math.radians(25)
BACKGROUND = (255, 255, 255)
GREY = (180, 180, 180)


def turntable(scene, up=Y_UP, size=SIZE, frames=MAX_FRAMES):
    """(bytes, ext) of a turntable GIF of a loaded mesh scene (a PNG still
    when the mesh is too big for several frames)."""
    triangles, colors = _triangles(scene, up)
    frames = max(1, min(frames, POLYGON_BUDGET // max(1, len(triangles))))
    # start a third of the way round: a still of the front alone looks flat
    images = [_draw(triangles, colors, math.pi / 6 + 2 * math.pi * i / frames, size)
              for i in range(frames)]
    buffer = io.BytesIO()
    if len(images) == 1:
        images[0].save(buffer, format="PNG")
        return buffer.getvalue(), "png"
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=120, loop=0, optimize=False)
    return buffer.getvalue(), "gif"


def _triangles(scene, up):
    """Triangles (N, 3, 3) in a +Z-up frame, centred and scaled to the unit
    sphere, and their RGB colours (N, 3)."""
    import numpy as np
    import trimesh

    tris, cols = [], []
    for mesh in scene.dump():
        if not isinstance(mesh, trimesh.Trimesh) or not len(mesh.faces):
            continue
        tris.append(mesh.vertices[mesh.faces])
        cols.append(_face_colors(mesh))
    triangles = np.concatenate(tris).astype(np.float64)
    colors = np.concatenate(cols)
    if up == Y_UP:  # (x, y, z) y-up -> (x, -z, y) z-up
        triangles = triangles[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
    points = triangles.reshape(-1, 3)
    center = (points.min(axis=0) + points.max(axis=0)) / 2
    radius = np.linalg.norm(points - center, axis=1).max() or 1.0
    return (triangles - center) / radius, colors


def _face_colors(mesh):
    """RGB per face: vertex colours averaged, face colours, texture colours
    sampled at the vertices, or the material's colour."""
    import numpy as np

    visual = mesh.visual
    try:
        if visual.kind == "texture":
            visual = visual.to_color()
        if visual.kind == "vertex":
            return visual.vertex_colors[mesh.faces][:, :, :3].mean(axis=1)
        if visual.kind == "face":
            return visual.face_colors[:, :3].astype(np.float64)
        color = getattr(getattr(visual, "material", None), "main_color", None)
        if color is not None:
            return np.tile(np.asarray(color[:3], dtype=np.float64), (len(mesh.faces), 1))
    except Exception:  # an odd material: a grey picture beats none
        pass
    return np.tile(np.array(GREY, dtype=np.float64), (len(mesh.faces), 1))


def _draw(triangles, colors, angle, size):
    import numpy as np
    from PIL import Image, ImageDraw

    cos_a, sin_a = math.cos(angle), math.sin(angle)
    rotation = np.array([[cos_a, -sin_a, 0], [sin_a, cos_a, 0], [0, 0, 1]])
    t = triangles @ rotation.T
    # camera in front (-y) and above; screen x = x, screen up mixes y and z
    cos_e, sin_e = math.cos(ELEVATION), math.sin(ELEVATION)
    sx = t[..., 0]
    sy = t[..., 1] * sin_e + t[..., 2] * cos_e
    depth = -t[..., 1] * cos_e + t[..., 2] * sin_e  # larger: nearer the camera
    view = np.array([0.0, -cos_e, sin_e])
    normals = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    lengths[lengths == 0] = 1.0
    light = np.abs(normals @ view) / lengths
    shade = np.clip(0.3 + 0.7 * light, 0, 1)[:, None]
    fill = np.clip(colors * shade, 0, 255).astype(np.uint8)

    side = size * SUPERSAMPLE
    scale = side * 0.45
    px = side / 2 + sx * scale
    py = side / 2 - sy * scale
    order = np.argsort(depth.mean(axis=1))  # far first
    image = Image.new("RGB", (side, side), BACKGROUND)
    draw = ImageDraw.Draw(image)
    coords = np.stack([px, py], axis=-1)[order].tolist()
    fills = [tuple(c) for c in fill[order].tolist()]
    for triangle, color in zip(coords, fills):
        draw.polygon([tuple(p) for p in triangle], fill=color)
    return image.resize((size, size), Image.LANCZOS)
