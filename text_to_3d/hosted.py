"""3D models hosted on Replicate: their outputs sorted into meshes and the
renders that come with them."""

from dataclasses import dataclass
from typing import Optional

from ..core.backends.base import GenerationError
from ..core.backends.replicate_api import Replicate, source_input
from .meshes import MESH_EXTS, Z_UP, to_glb

PICTURE_EXTS = ("gif", "png", "jpg", "webp")


@dataclass
class ReplicateMesh(Replicate):
    """A Replicate model that returns meshes, maybe with renders.

    Attributes:
        images_field: the input taking a *list* of images (TRELLIS), filled
            with the source image
        up_axis: the up axis of the model's meshes when they are not glTF
            (Shap-E's OBJ: Z)
        convert_to_glb: turn non-glTF meshes into GLB (vertex colours kept,
            +Y up), so the App shows their colours
    """

    images_field: Optional[str] = None
    up_axis: Optional[str] = None
    convert_to_glb: bool = False
    output_ext: str = "glb"

    def provider_input(self, job, batch_field=None):
        body = super().provider_input(job, batch_field)
        if self.images_field and job.source_path:
            body[self.images_field] = [source_input(job.source_path)]
        return body

    def generate(self, job, secrets):
        outputs = super().generate(job, secrets)
        meshes = [o for o in outputs if o.ext in MESH_EXTS]
        pictures = [o for o in outputs if o.ext in PICTURE_EXTS]
        if not meshes:
            kinds = ", ".join(sorted({o.ext for o in outputs})) or "nothing"
            raise GenerationError(
                f"{self.model_ref.split(':')[0]} returned no mesh (got {kinds}); "
                "check the model's inputs")
        for i, mesh in enumerate(meshes):
            up = self.up_axis or (None if mesh.ext in ("glb", "gltf") else Z_UP)
            if self.convert_to_glb and mesh.ext not in ("glb", "gltf"):
                try:
                    mesh.data = to_glb(mesh.data, mesh.ext, up or Z_UP)
                except ValueError as e:
                    raise GenerationError(f"Replicate returned a bad mesh: {e}") from None
                mesh.extra["provider_format"] = mesh.ext
                mesh.ext, up = "glb", "Y"
            if up:
                mesh.extra["up_axis"] = up
            mesh.extra["batch_index"] = i
            if i < len(pictures):  # renders come in the same order as meshes
                mesh.companions["preview"] = pictures[i]
        return meshes
