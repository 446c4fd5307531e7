"""Input names of the Replicate models the catalog uses, from each model's
published input schema (docs/providers-research.md). The local Replicate
server refuses any other input, so a misnamed field fails a test instead of
being silently ignored as Replicate does."""

SD_COG = {"prompt", "negative_prompt", "image", "mask", "width", "height",
          "num_outputs", "scheduler", "num_inference_steps", "guidance_scale",
          "prompt_strength", "seed", "refine", "high_noise_frac", "refine_steps",
          "apply_watermark", "lora_scale", "replicate_weights",
          "disable_safety_checker", "batched_prompt"}
FLUX = {"prompt", "aspect_ratio", "image", "prompt_strength", "num_outputs",
        "num_inference_steps", "guidance", "seed", "output_format",
        "output_quality", "disable_safety_checker", "go_fast", "megapixels"}

INPUTS = {
    "stability-ai/stable-diffusion": {"prompt", "negative_prompt", "width", "height",
                                      "num_outputs", "num_inference_steps",
                                      "guidance_scale", "scheduler", "seed"},
    "stability-ai/sdxl": SD_COG,
    "bytedance/sdxl-lightning-4step": SD_COG,
    "lucataco/ssd-1b": SD_COG,
    "playgroundai/playground-v2.5-1024px-aesthetic": SD_COG,
    "ai-forever/kandinsky-2.2": {"prompt", "negative_prompt", "width", "height",
                                 "num_inference_steps", "num_inference_steps_prior",
                                 "num_outputs", "seed", "output_format"},
    "luosiallen/latent-consistency-model": {"prompt", "width", "height", "num_images",
                                            "num_inference_steps", "guidance_scale",
                                            "seed"},
    "mehdidc/feed_forward_vqgan_clip": {"prompt", "model", "prior", "grid_size", "seed"},
    "black-forest-labs/flux-schnell": FLUX,
    "black-forest-labs/flux-dev": FLUX,
}
