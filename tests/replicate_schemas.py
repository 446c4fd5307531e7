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
    # 3D (text_to_3d)
    "cjwbw/shap-e": {"prompt", "image", "guidance_scale", "batch_size", "render_mode",
                     "render_size", "save_mesh"},
    "firtoz/trellis": {"images", "seed", "randomize_seed", "generate_color",
                       "generate_normal", "generate_model", "save_gaussian_ply",
                       "return_no_background", "texture_size", "mesh_simplify",
                       "ss_sampling_steps", "ss_guidance_strength",
                       "slat_sampling_steps", "slat_guidance_strength"},
    "ndreca/hunyuan3d-2.1": {"image", "steps", "guidance_scale", "max_facenum",
                             "num_chunks", "seed", "octree_resolution",
                             "remove_background", "generate_texture"},
}

# Image to video. Specs: a list is an enum, a type checks the value.
INPUTS.update({
    "stability-ai/stable-video-diffusion": {
        "input_image": str,
        "video_length": ["14_frames_with_svd", "25_frames_with_svd_xt"],
        "sizing_strategy": ["maintain_aspect_ratio", "crop_to_16_9", "use_image_dimensions"],
        "frames_per_second": int, "motion_bucket_id": int, "cond_aug": float,
        "decoding_t": int, "seed": int},
    "wan-video/wan-2.2-i2v-a14b": {
        "prompt": str, "image": str, "num_frames": int, "resolution": ["480p", "720p"],
        "frames_per_second": int, "sample_steps": int, "sample_shift": float, "seed": int},
    "wan-video/wan-2.2-i2v-fast": {
        "prompt": str, "image": str, "last_image": str, "num_frames": int,
        "resolution": ["480p", "720p"], "frames_per_second": int, "go_fast": bool,
        "sample_shift": float, "interpolate_output": bool, "seed": int,
        "disable_safety_checker": bool, "lora_scale_transformer": float,
        "lora_scale_transformer_2": float},
    "kwaivgi/kling-v2.1": {
        "prompt": str, "negative_prompt": str, "start_image": str, "end_image": str,
        "mode": ["standard", "pro"], "duration": [5, 10]},
    "bytedance/seedance-1-lite": {
        "prompt": str, "image": str, "last_frame_image": str, "reference_images": list,
        "duration": int, "resolution": ["480p", "720p", "1080p"], "aspect_ratio": str,
        "fps": [24], "camera_fixed": bool, "seed": int},
})
