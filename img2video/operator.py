"""The ``img2video`` operator: selected images x models -> videos, each in a
group beside its source image."""

from ..core import sdk
from ..core.call_docs import documented
from ..core.operator import FromImagesOperator
from .writer import VIDEO_SLICE, VideoWriter


class ImageToVideo(FromImagesOperator):
    task = "img2video"
    noun = "video"
    default_model = "svd-xt"
    label = "Generate videos from images"
    description = ("Bring selected images to life with local (diffusers) or hosted "
                   "(Replicate) image-to-video models")
    prompt_help = ("Optional: the motion to show, one prompt per line (each runs on "
                   "every image; SVD ignores prompts)")
    output_suffix = "videos"
    output_slice = VIDEO_SLICE

    @documented
    def __call__(self, sample_collection, model="svd-xt", prompt=None, backend=None,
                 seed=None, negative_prompt=None, output_dir=None, delegate=False,
                 **model_options):
        """Generates one video per image sample of ``sample_collection``.

        Videos go to a grouped dataset, one group per video with the source
        image in slice ``image`` and the video in slice ``video``: the
        dataset itself when it is grouped, else ``<dataset name>-videos``.

        Args:
            sample_collection: a dataset or view (a selection, say); its image
                samples are the sources (others are reported in ``failed``)
            model: a model id, or a list of ids (``list_models()``)
            prompt (None): the motion to show, or a list of prompts (each
                runs on every image); Kling, Seedance and hosted Wan need one
            backend (None): ``diffusers`` or ``replicate``, or a
                {model: backend} dict; default: the first ready one
            seed (None): a seed for reproducible videos; random when None
                (the seed used is recorded on each sample)
            negative_prompt (None): what the videos should not show
            output_dir (None): where files go; default
                ``<fo.config.default_dataset_dir>/multigen/<output dataset>``
            {templates}
            {run_options}
            **model_options: options of the chosen model(s), e.g.
                ``num_frames``, ``fps``, ``motion_bucket_id``, ``sizing``,
                ``memory``; each goes to the models that have it

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed"}``: the output dataset, its new video samples (each
            one's group holds its source image) and what failed
        """
        params = sdk.params_of(model, prompt=prompt, backend=backend, seed=seed,
                               negative_prompt=negative_prompt, output_dir=output_dir,
                               **model_options)
        return sdk.call(self, sample_collection, params, delegate)

    def make_writer(self, ctx, dataset, request):
        return VideoWriter(dataset, request.output_dir, source_dataset=ctx.dataset.name,
                           embed_provenance=request.embed_provenance)
