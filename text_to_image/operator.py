"""The ``txt2img`` operator: prompts x models -> image samples."""

from ..core import sdk
from ..core.call_docs import documented
from ..core.operator import GenerateOperator
from ..core.samples import save_compare_view
from .writer import ImageWriter


class TextToImage(GenerateOperator):
    task = "txt2img"
    noun = "image"
    default_model = "flux-schnell"
    cpu_default_model = "sdxs"
    label = "Generate images from text"
    description = ("Generate images from prompts with local (diffusers) or "
                   "hosted (Replicate, OpenAI, Stability AI) models")

    @documented
    def __call__(self, sample_collection, prompt=None, model="flux-schnell",
                 backend=None, seed=None, num_images=1, negative_prompt=None,
                 output_dir=None, prompts_file=None, prompt_field=None, shards=None,
                 delegate=False, **model_options):
        """Generates images into the dataset of ``sample_collection``.

        Args:
            sample_collection: a dataset or view; samples go to its dataset
            prompt: a prompt or a list of prompts (or use ``prompts_file`` /
                ``prompt_field``)
            model: a model id, or a list of ids to compare (``list_models()``)
            backend (None): ``diffusers``, ``replicate``, ``openai`` or
                ``stability``, or a {model: backend} dict; default: the first
                ready one
            seed (None): a seed for reproducible outputs; random when None
                (the seed used is recorded on each sample)
            num_images (1): images per prompt and model
            negative_prompt (None): what the images should not show
            output_dir (None): where files go; default
                ``<fo.config.default_dataset_dir>/multigen/<dataset>``
            {prompt_sources}
            {templates}
            {run_options}
            **model_options: options of the chosen model(s), e.g. ``width``,
                ``num_inference_steps``; each goes to the models that have it

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed", "skipped", "cancelled", "cost_usd"}`` (``skipped``: outputs of the same
            run already in the dataset; with ``shards``: ``{"queued": [ids]}``)
        """
        params = sdk.params_of(model, prompt=prompt, backend=backend, seed=seed,
                               num_images=num_images, negative_prompt=negative_prompt,
                               output_dir=output_dir, prompts_file=prompts_file,
                               prompt_field=prompt_field, shards=shards, **model_options)
        return sdk.call(self, sample_collection, params, delegate)

    def make_writer(self, ctx, dataset, request):
        return ImageWriter(dataset, request.output_dir,
                           embed_provenance=request.embed_provenance)

    def after_comparison(self, dataset):
        save_compare_view(dataset)
