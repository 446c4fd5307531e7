"""Shap-E run locally with diffusers: one sampling, two decodings.

The pipeline is asked for latents only; Shap-E's own renderer then decodes
each latent twice, into a mesh (marching cubes on its signed distance field,
coloured per vertex) and into a 20-view turntable, so the preview shows
exactly the mesh that was made, without sampling again.
"""

import io
from dataclasses import dataclass

from ..core.backends.base import GenerationError, Output
from ..core.backends.diffusers_local import Diffusers
from .meshes import Z_UP, colored_mesh, z_up_to_y_up

# our own options, consumed here rather than passed to the pipeline
MESH_FORMAT, FRAME_SIZE = "mesh_format", "frame_size"


@dataclass
class ShapE(Diffusers):
    """Shap-E text-to-3D (``ShapEPipeline``) or image-to-3D
    (``ShapEImg2ImgPipeline``): a GLB (vertex colours, +Y up as glTF wants)
    or PLY (Shap-E's own +Z up) mesh plus a turntable GIF."""

    pipeline: str = "ShapEPipeline"

    @property
    def from_image(self):
        return "Img2Img" in self.pipeline

    def call(self, pipe, rows, generators, entry):
        import torch

        kwargs = self.pipeline_kwargs(rows[0].job)
        mesh_format = kwargs.pop(MESH_FORMAT, "glb")
        frame_size = kwargs.pop(FRAME_SIZE, 64)
        if self.from_image:
            from PIL import Image

            images = []
            for row in rows:
                with Image.open(row.job.source_path) as image:
                    images.append(image.convert("RGB"))
            # as one tensor: given a list of PIL images, diffusers' Shap-E
            # img2img encodes only the first (`pixel_values[0]` in
            # ShapEImg2ImgPipeline._encode_image, diffusers 0.42) and the
            # batch then fails to line up
            inputs = {"image": pipe.image_processor(images, return_tensors="pt").pixel_values}
        else:
            inputs = {"prompt": [row.job.prompt for row in rows]}
        latents = pipe(**inputs, generator=generators, frame_size=frame_size,
                       output_type="latent", **kwargs).images
        renderer, device = pipe.shap_e_renderer, pipe._execution_device
        outputs = []
        with torch.no_grad():
            for latent in latents:
                mesh = renderer.decode_to_mesh(latent[None, :], device)
                frames = renderer.decode_to_image(latent[None, :], device,
                                                  size=frame_size)
                try:
                    outputs.append(self._output(mesh, frames, mesh_format, pipe))
                except GenerationError as e:  # this one's mesh is empty; not the others'
                    outputs.append(e)
        return outputs

    def _output(self, decoded, frames, mesh_format, pipe):
        import numpy as np

        vertices = decoded.verts.detach().float().cpu().numpy()
        faces = decoded.faces.detach().cpu().numpy()
        if not len(vertices) or not len(faces):
            raise GenerationError(
                "Shap-E decoded an empty mesh: try another seed, more steps or a "
                "clearer prompt or image")
        linear = np.stack([decoded.vertex_channels[c].detach().float().cpu().numpy()
                           for c in "RGB"], axis=1)
        if mesh_format == "ply":
            # PLY has no colour space; loaders (three.js) read sRGB
            mesh = colored_mesh(vertices, faces, _linear_to_srgb(linear))
            data, up = mesh.export(file_type="ply"), Z_UP
        else:
            # glTF vertex colours are linear, and glTF is +Y up
            mesh = colored_mesh(z_up_to_y_up(vertices), faces, linear)
            data, up = mesh.export(file_type="glb"), "Y"
        images = pipe.numpy_to_pil(frames.float().cpu().numpy())
        return Output(
            data=data, ext=mesh_format,
            extra={"up_axis": up},
            companions={"preview": Output(data=_gif(images), ext="gif")},
        )


def _linear_to_srgb(values):
    import numpy as np

    values = np.clip(values, 0.0, 1.0)
    return np.where(values <= 0.0031308, values * 12.92,
                    1.055 * np.power(values, 1 / 2.4) - 0.055)


def _gif(images, duration_ms=100):
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=duration_ms, loop=0)
    return buffer.getvalue()
