"""Tiny random-weight scorers under the real repo ids of the declared
metrics (``scores/metrics.py``), written into a hub cache laid out as the
hub does, so scoring loads them offline through ``from_pretrained`` and
``hf_hub_download`` exactly as for users.

* ``openai/clip-vit-large-patch14``: a tiny CLIPModel whose projection is
  768 wide (the aesthetic head's input) and its processor.
* ``yuvalkirstain/PickScore_v1``: a tiny CLIPModel; its processor lives in
  ``laion/CLIP-ViT-H-14-laion2B-s32B-b79K``, as on the hub (that repo holds
  a CLIP model too, whose config the tokenizer's loader reads).
* ``trl-lib/ddpo-aesthetic-predictor``: ``aesthetic-model.pth``, the MLP's
  state dict with the published ``layers.N`` keys.

Importing this module imports neither torch nor transformers.
"""

from __future__ import annotations

import io

from .hub_cache import save_file_to_hub_cache, save_to_hub_cache
from .text_to_image import CLIP_VOCAB_SIZE, _seeded, clip_tokenizer

CLIP_L14 = "openai/clip-vit-large-patch14"
PICKSCORE = "yuvalkirstain/PickScore_v1"
PICKSCORE_PROCESSOR = "laion/CLIP-ViT-H-14-laion2B-s32B-b79K"
AESTHETIC_HEAD = ("trl-lib/ddpo-aesthetic-predictor", "aesthetic-model.pth")
IMAGE_SIZE = 224  # what the real processors crop to
PROJECTION = 768  # the aesthetic head's input width


def clip_processor():
    from transformers import CLIPImageProcessor, CLIPProcessor

    image = CLIPImageProcessor(
        crop_size=IMAGE_SIZE, size=IMAGE_SIZE, do_center_crop=True, do_normalize=True,
        do_resize=True, image_mean=[0.48145466, 0.4578275, 0.40821073],
        image_std=[0.26862954, 0.26130258, 0.27577711], resample=3)
    return CLIPProcessor(image_processor=image, tokenizer=clip_tokenizer())


def tiny_clip(name, projection_dim=PROJECTION):
    from transformers import CLIPConfig, CLIPModel, CLIPTextConfig, CLIPVisionConfig

    text = CLIPTextConfig(bos_token_id=0, eos_token_id=1, pad_token_id=1,
                          vocab_size=CLIP_VOCAB_SIZE, max_position_embeddings=77,
                          hidden_size=32, intermediate_size=37, num_attention_heads=4,
                          num_hidden_layers=2, projection_dim=projection_dim)
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=37, num_attention_heads=4,
                              num_hidden_layers=2, image_size=IMAGE_SIZE, patch_size=32,
                              projection_dim=projection_dim)
    config = CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(),
                        projection_dim=projection_dim)
    with _seeded(name):
        return CLIPModel(config).eval()


def aesthetic_head_bytes():
    import torch

    with _seeded("aesthetic-head"):
        layers = torch.nn.Sequential(
            torch.nn.Linear(768, 1024), torch.nn.Dropout(0.2), torch.nn.Linear(1024, 128),
            torch.nn.Dropout(0.2), torch.nn.Linear(128, 64), torch.nn.Dropout(0.1),
            torch.nn.Linear(64, 16), torch.nn.Linear(16, 1))
    buffer = io.BytesIO()
    torch.save({f"layers.{k}": v for k, v in layers.state_dict().items()}, buffer)
    return buffer.getvalue()


def install_scorers(cache_dir):
    """Writes every tiny scorer into ``cache_dir``; returns their snapshots."""
    processor = clip_processor()
    out = {}
    for repo in (CLIP_L14, PICKSCORE, PICKSCORE_PROCESSOR):
        model = tiny_clip(repo)

        def save(path, model=model, with_processor=repo != PICKSCORE):
            model.save_pretrained(path)
            if with_processor:
                processor.save_pretrained(path)

        out[repo] = save_to_hub_cache(cache_dir, repo, save)
    out["/".join(AESTHETIC_HEAD)] = save_file_to_hub_cache(cache_dir, *AESTHETIC_HEAD,
                                                           aesthetic_head_bytes())
    return out
