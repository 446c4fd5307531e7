"""The ``txt2mesh`` and ``img2mesh`` operators: prompts or image samples in,
grouped 3D samples out (``mesh`` + ``preview`` + ``image`` slices)."""

from ..core import sdk
from ..core.call_docs import documented
from ..core.groups import output_dataset
from ..core.operator import NO_PROMPT, FromImagesOperator, GenerateOperator
from .writer import MESH_SLICE, MeshWriter, show_previews_in_grid

OUTPUT_SUFFIX = "3d"


def mesh_dataset(dataset):
    """Where 3D outputs made from ``dataset`` go: ``<name>-3d`` (grouped),
    or ``dataset`` itself when it is grouped or empty."""
    target = output_dataset(dataset, OUTPUT_SUFFIX, MESH_SLICE)
    if len(target) == 0:
        show_previews_in_grid(target)
    return target


class _MeshOperator:
    """What both 3D operators share: the writer and the output dataset."""

    def make_writer(self, ctx, dataset, request):
        return MeshWriter(dataset, request.output_dir, source_dataset=ctx.dataset.name,
                          embed_provenance=request.embed_provenance)

    def target_dataset(self, ctx):
        return mesh_dataset(ctx.dataset)


class TextTo3D(_MeshOperator, GenerateOperator):
    task = "txt2mesh"
    noun = "mesh"
    default_model = "shap-e"
    label = "Generate 3D from text"
    description = ("Generate 3D meshes from prompts: Shap-E, or any image model "
                   "followed by any image-to-3D model")
    prompt_help = "One prompt per line, one object each; each runs on every chosen model"

    @documented
    def __call__(self, sample_collection, prompt, model="shap-e", backend=None,
                 seed=None, num_images=1, output_dir=None, delegate=False,
                 **model_options):
        """Generates 3D meshes from prompts into a grouped dataset: the
        dataset of ``sample_collection`` if it is grouped or empty, else
        ``<name>-3d``.

        Args:
            sample_collection: a dataset or view
            prompt: a prompt or a list of prompts
            model: a model id or a list of ids (``list_models()``); ``via-image``
                draws an image with ``image_model`` then builds the mesh with
                ``mesh_model``
            backend (None): ``diffusers``, ``replicate`` or ``chain``, or a
                {model: backend} dict; default: the first ready one
            seed (None): the seed; random when None (recorded per sample)
            num_images (1): meshes per prompt and model
            output_dir (None): where files go
            {templates}
            {run_options}
            **model_options: options of the chosen model(s), e.g.
                ``guidance_scale``, ``frame_size``, ``mesh_format``; for
                ``via-image``: ``image_model``, ``mesh_model``,
                ``image_backend``, ``mesh_backend``, ``image_options`` and
                ``mesh_options`` (dicts of those models' own options)

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed"}``; ``sample_ids`` lists the mesh samples (each one's
            group holds its preview and intermediate image)
        """
        params = sdk.params_of(model, prompt=prompt, backend=backend, seed=seed,
                               num_images=num_images, output_dir=output_dir,
                               **model_options)
        return sdk.call(self, sample_collection, params, delegate)


class ImageTo3D(_MeshOperator, FromImagesOperator):
    task = "img2mesh"
    noun = "mesh"
    default_model = "stable-fast-3d"
    label = "Generate 3D from images"
    description = ("Turn selected image samples into 3D meshes with Shap-E, "
                   "Stable Fast 3D, SPAR3D, TRELLIS or Hunyuan3D")
    prompt_mode = NO_PROMPT
    output_suffix = OUTPUT_SUFFIX
    output_slice = MESH_SLICE

    @documented
    def __call__(self, sample_collection, model="stable-fast-3d", backend=None,
                 seed=None, num_images=None, output_dir=None, delegate=False,
                 **model_options):
        """Builds a 3D mesh from each image sample of ``sample_collection``
        into the grouped dataset ``<name>-3d`` (or the dataset itself when
        grouped or empty), beside its source image.

        Args:
            sample_collection: the image samples to use (a view or dataset)
            model: a model id or a list of ids (``list_models()``)
            backend (None): ``diffusers``, ``replicate`` or ``stability``, or a
                {model: backend} dict; default: the first ready one
            seed (None): the seed, for models that take one
            num_images (None): meshes per image, for models that make several
            output_dir (None): where files go
            {run_options}
            **model_options: options of the chosen model(s)

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed"}``; ``sample_ids`` lists the mesh samples (each one's
            group holds its source image and preview)
        """
        params = sdk.params_of(model, backend=backend, seed=seed,
                               num_images=num_images, output_dir=output_dir,
                               **model_options)
        return sdk.call(self, sample_collection, params, delegate)
