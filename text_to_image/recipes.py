"""Local models that need more than one ``from_pretrained``."""

from dataclasses import dataclass

from .local import DiffusersImage


@dataclass
class SDXLLightning(DiffusersImage):
    """SDXL base with ByteDance's distilled UNet and a trailing-timestep Euler
    scheduler, as the SDXL-Lightning model card loads it (4 steps, guidance
    0: a negative prompt would do nothing, so none is offered)."""

    unet_repo: str = ""
    unet_file: str = ""

    @property
    def ref(self):
        return f"{self.unet_repo}/{self.unet_file}"

    def load(self, dtype, token, preloaded=None):
        """As the model card loads it: the UNet built from the base's config
        and filled with the distilled weights, then the base pipeline around
        it (the base UNet's weights are never downloaded)."""
        import diffusers
        from huggingface_hub import hf_hub_download
        from safetensors.torch import load_file

        config = diffusers.UNet2DConditionModel.load_config(self.repo, subfolder="unet",
                                                            token=token)
        unet = diffusers.UNet2DConditionModel.from_config(config)
        weights = hf_hub_download(self.unet_repo, self.unet_file, token=token)
        unet.load_state_dict(load_file(weights))
        unet.to(dtype)
        pipe = self.from_pretrained(self.pipeline, self.repo, dtype, token, unet=unet)
        pipe.scheduler = self.make_scheduler(pipe.scheduler.config)
        return pipe

    def make_scheduler(self, base_config):
        import diffusers

        return diffusers.EulerDiscreteScheduler.from_config(
            base_config, timestep_spacing="trailing")


@dataclass
class Kandinsky22(DiffusersImage):
    """Kandinsky 2.2: the prior and the decoder repos, joined into diffusers'
    combined text-to-image pipeline."""

    prior_repo: str = ""
    # the prior draws its latents for prompt and negative together and
    # indexes a list of generators out of range: one image per call
    max_batch: int = 1

    def load(self, dtype, token, preloaded=None):
        import diffusers

        prior = self.from_pretrained("KandinskyV22PriorPipeline", self.prior_repo,
                                     dtype, token)
        decoder = self.from_pretrained(self.pipeline, self.repo, dtype, token)
        pipe = diffusers.KandinskyV22CombinedPipeline(
            unet=decoder.unet, scheduler=decoder.scheduler, movq=decoder.movq,
            prior_prior=prior.prior, prior_image_encoder=prior.image_encoder,
            prior_text_encoder=prior.text_encoder, prior_tokenizer=prior.tokenizer,
            prior_scheduler=prior.scheduler, prior_image_processor=prior.image_processor,
        )
        return pipe
