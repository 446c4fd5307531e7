"""The ``txt2video`` operator: prompts x models -> video samples."""

from ..core import sdk
from ..core.call_docs import documented
from ..core.operator import GenerateOperator
from ..core.samples import save_compare_view
from .writer import TextVideoWriter, output_dataset


class TextToVideo(GenerateOperator):
    task = "txt2video"
    noun = "video"
    default_model = "wan2.1-t2v-1.3b"
    label = "Generate videos from text"
    description = ("Generate videos from prompts with local (diffusers) or hosted "
                   "(Replicate) text-to-video models")

    @documented
    def __call__(self, sample_collection, prompt=None, model="wan2.1-t2v-1.3b",
                 backend=None, seed=None, negative_prompt=None, output_dir=None,
                 prompts_file=None, prompt_field=None, shards=None, delegate=False,
                 **model_options):
        """Generates one video per prompt and model.

        Videos go to the dataset of ``sample_collection`` when it is empty or
        holds videos, else to ``<dataset name>-text-videos`` (a dataset holds
        one media type), as plain video samples.

        Args:
            sample_collection: a dataset or view; its dataset decides where
                the videos go (and ``prompt_field`` reads its samples)
            prompt: a prompt or a list of prompts (or use ``prompts_file`` /
                ``prompt_field``)
            model: a model id, or a list of ids to compare (``list_models()``)
            backend (None): ``diffusers`` or ``replicate``, or a
                {model: backend} dict; default: the first ready one
            seed (None): a seed for reproducible videos; random when None
                (the seed used is recorded on each sample)
            negative_prompt (None): what the videos should not show
            output_dir (None): where files go; default
                ``<fo.config.default_dataset_dir>/multigen/<output dataset>``
            {prompt_sources}
            {templates}
            {run_options}
            **model_options: options of the chosen model(s), e.g.
                ``num_frames``, ``fps``, ``duration``, ``memory``; each goes to
                the models that have it

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed", "skipped", "cancelled"}``: the output dataset, its new
            video samples and what failed (with ``shards``: ``{"queued": [ids]}``)
        """
        params = sdk.params_of(model, prompt=prompt, backend=backend, seed=seed,
                               negative_prompt=negative_prompt, output_dir=output_dir,
                               prompts_file=prompts_file, prompt_field=prompt_field,
                               shards=shards, **model_options)
        return sdk.call(self, sample_collection, params, delegate)

    def target_dataset(self, ctx):
        return output_dataset(ctx.dataset)

    def make_writer(self, ctx, dataset, request):
        return TextVideoWriter(dataset, request.output_dir,
                               embed_provenance=request.embed_provenance)

    def after_comparison(self, dataset):
        save_compare_view(dataset)
