"""The ``img2video`` operator: selected images x models -> videos, each in a
group beside its source image."""

from ..core import sdk
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
            template_mode ("combinatorial"), num_prompts (16), wildcards_dir
                (None): how prompt templates such as ``"a {red|blue} car"``
                expand: every combination, ``"random"`` (``num_prompts``
                distinct prompts per template, drawn with the run's seed) or
                ``"literal"`` (none); ``__name__`` reads ``name.txt`` of
                ``wildcards_dir`` (README: "Prompt templates")
            embed_provenance (True): write the provenance into each file
                (README: "Provenance inside the files")
            timeout (600): seconds each hosted item may wait for its provider
                before it is listed as failed (a running Replicate prediction
                is then cancelled)
            max_cost (None): a budget in US dollars: no new hosted item
                starts once the run has cost this much; the rest is listed in
                ``failed`` as "not run: budget of $X reached" (README: Cost)
            score (None): metric ids (``clip_score``, ``pick_score``,
                ``aesthetic``) that score each output as it is written
                (README: "Scores"); the result's ``score_failed`` lists what
                could not be scored
            delegate (False): queue the run for ``fiftyone delegated launch``
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
