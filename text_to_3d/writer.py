"""Writing 3D outputs as groups: the ``.fo3d`` scene (``mesh`` slice) beside a
picture of it (``preview``) and the image it came from (``image``: the source
sample, or the intermediate image of a text -> image -> 3D chain)."""

import os

from ..core import media
from ..core.groups import IMAGE_SLICE, GroupWriter
from ..core.samples import GENERATED_TAG
from .meshes import camera_framing, default_up, describe
from .render import turntable
from .scene import write_scene

MESH_SLICE, PREVIEW_SLICE = "mesh", "preview"
# every slice carries a picture path, so the grid shows the mesh as its preview
THUMBNAIL_FIELD = "thumbnail_path"


class MeshWriter(GroupWriter):
    def add(self, item, outputs, latency_s, run_id):
        # checked and counted before the provenance is recorded: a mesh that
        # does not load fails here, and its counts land in ``generation``
        for output in outputs:
            try:
                output.extra.update(
                    {k: v for k, v in describe(output.data, output.ext).items()
                     if k != "vertex_colors"})
            except ValueError as e:
                raise ValueError(f"the model returned a mesh we cannot use: {e}") from None
            output.extra.setdefault("up_axis", default_up(output.ext))
            if PREVIEW_SLICE not in output.companions:
                data, ext = turntable(output.data, output.ext, output.extra["up_axis"])
                output.companions[PREVIEW_SLICE] = type(output)(data=data, ext=ext)
        super().add(item, outputs, latency_s, run_id)

    def slices_for(self, item, output, doc):
        import fiftyone as fo

        model = item.choice.model
        if not getattr(item.choice.backend, "takes_seed", True):
            doc.seed = None  # the provider takes no seed: none was used
        folder = self.folder_for(model)
        stem = item.prompt or (os.path.splitext(os.path.basename(item.source.filepath))[0]
                               if item.source else "mesh")
        mesh_path = media.write_atomic(folder, stem, output.ext, output.data)
        up = output.extra["up_axis"]
        scene_path = write_scene(folder, stem, mesh_path, output.ext, up,
                                 camera_framing(output.data, output.ext, up))
        preview = self._picture(item, output.companions[PREVIEW_SLICE], doc,
                                f"{stem}-preview", PREVIEW_SLICE)
        doc.mesh_path = mesh_path
        doc.preview_path = preview.filepath
        slices = {}
        if item.source is not None:
            slices[IMAGE_SLICE] = self.source_sample(item, doc)
        elif IMAGE_SLICE in output.companions:
            image = self._picture(item, output.companions[IMAGE_SLICE], doc,
                                  f"{stem}-image", "intermediate")
            doc.image_path = image.filepath
            slices[IMAGE_SLICE] = image
        slices[MESH_SLICE] = fo.Sample(
            filepath=scene_path, tags=[GENERATED_TAG, model.id], generation=doc)
        slices[PREVIEW_SLICE] = preview
        for name, sample in slices.items():
            if name != MESH_SLICE:
                sample["generation"] = doc.copy()
            sample[THUMBNAIL_FIELD] = (preview.filepath if name == MESH_SLICE
                                       else sample.filepath)
        return slices

    def _picture(self, item, output, doc, stem, tag):
        """An image sample for a preview or intermediate image, checked to
        decode first."""
        import fiftyone as fo

        width, height, channels, mime = media.image_info(output.data)
        sample = self.generated_sample(item, output, doc, stem=stem, tags=(tag,))
        sample.metadata = fo.ImageMetadata(
            size_bytes=len(output.data), mime_type=mime, width=width,
            height=height, num_channels=channels)
        return sample


def show_previews_in_grid(dataset):
    """Lets the App's grid show each mesh's preview (a 3D scene has no
    thumbnail of its own), unless the dataset already chose a grid field."""
    config = dataset.app_config
    if config.grid_media_field not in (None, "filepath"):
        return
    fields = list(config.media_fields or ["filepath"])
    if THUMBNAIL_FIELD not in fields:
        fields.append(THUMBNAIL_FIELD)
    config.media_fields = fields
    config.grid_media_field = THUMBNAIL_FIELD
    dataset.save()
