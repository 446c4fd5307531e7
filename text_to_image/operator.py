"""The ``txt2img`` operator: prompts x models -> image samples."""

from ..core.operator import GenerateOperator
from ..core.samples import ImageWriter, save_compare_view
from . import models  # noqa: F401  (registers the models)


class TextToImage(GenerateOperator):
    task = "txt2img"
    default_model = "flux-schnell"
    label = "Generate images from text"
    description = ("Generate images from prompts with local (diffusers) or "
                   "hosted (Replicate, OpenAI, Stability AI) models")

    def __call__(self, sample_collection, prompt, model="flux-schnell", backend=None,
                 seed=None, num_images=1, negative_prompt=None, output_dir=None,
                 delegate=False, **model_options):
        """Generates images into the dataset of ``sample_collection``.

        Args:
            sample_collection: a dataset or view; samples go to its dataset
            prompt: a prompt or a list of prompts
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
            delegate (False): queue the run for ``fiftyone delegated launch``
            **model_options: options of the chosen model(s), e.g. ``width``,
                ``num_inference_steps``; each goes to the models that have it

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed"}``
        """
        params = self.sdk_params(model, prompt=prompt, backend=backend, seed=seed,
                                 num_images=num_images, negative_prompt=negative_prompt,
                                 output_dir=output_dir, **model_options)
        return self.run_sdk(sample_collection, params, delegate)

    def make_writer(self, ctx, dataset, request):
        return ImageWriter(dataset, request.output_dir)

    def after_comparison(self, dataset):
        save_compare_view(dataset)
