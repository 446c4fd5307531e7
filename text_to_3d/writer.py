"""Writing 3D outputs as groups: the ``.fo3d`` scene (``mesh`` slice) beside a
picture of it (``preview``) and the image it came from (``image``: the source
sample, or the intermediate image of a text -> image -> 3D chain)."""

import os

from ..core.groups import IMAGE_SLICE, GroupWriter
from ..core.samples import GENERATED_TAG
from .meshes import camera_framing, default_up, describe, load_scene
from .render import turntable
from .scene import write_scene

MESH_SLICE, PREVIEW_SLICE = "mesh", "preview"
# every slice carries a picture path, so the grid shows the mesh as its preview
THUMBNAIL_FIELD = "thumbnail_path"


class MeshWriter(GroupWriter):
    """One (mesh, preview, image) group per output; ``sample_ids`` lists the
    mesh samples. The mesh is loaded once, in the worker that made it, for
    its check, its counts, its camera and its turntable."""

    output_slice = MESH_SLICE

    def slices_for(self, item, output):
        import fiftyone as fo

        try:
            scene = load_scene(output.data, output.ext)
        except ValueError as e:
            raise ValueError(f"the model returned a mesh we cannot use: {e}") from None
        output.extra.update({k: v for k, v in describe(scene).items()
                             if k != "vertex_colors"})
        up = output.extra.setdefault("up_axis", default_up(output.ext))
        if PREVIEW_SLICE not in output.companions:
            data, ext = turntable(scene, up)
            output.companions[PREVIEW_SLICE] = type(output)(data=data, ext=ext,
                                                            record=output.record)

        model = item.choice.model
        stem = item.prompt or (os.path.splitext(os.path.basename(item.source.filepath))[0]
                               if item.source else "mesh")
        mesh_path = self.write_file(item, output, stem)
        scene_path = write_scene(self.folder_for(model), stem, mesh_path, output.ext, up,
                                 camera_framing(scene, up))
        preview = self.image_sample(item, output.companions[PREVIEW_SLICE],
                                    f"{stem}-preview", (PREVIEW_SLICE,))
        output.extra.update(mesh_path=mesh_path, preview_path=preview.filepath)
        slices = {}
        if item.source is not None:
            slices[IMAGE_SLICE] = self.source_sample(item)
        elif IMAGE_SLICE in output.companions:
            image = self.image_sample(item, output.companions[IMAGE_SLICE],
                                      f"{stem}-image", ("intermediate",))
            output.extra["image_path"] = image.filepath
            slices[IMAGE_SLICE] = image
        slices[MESH_SLICE] = fo.Sample(filepath=scene_path, tags=[GENERATED_TAG, model.id])
        slices[PREVIEW_SLICE] = preview
        for name, sample in slices.items():
            sample[THUMBNAIL_FIELD] = (preview.filepath if name == MESH_SLICE
                                       else sample.filepath)
        return slices


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
