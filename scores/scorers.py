"""The maths of each metric, on batches of images: models load through
``from_pretrained`` / ``hf_hub_download`` (the hub cache users fill), once
per process and device, shared between metrics that use the same weights
(CLIPScore and the aesthetic predictor both embed with CLIP ViT-L/14).

Imports torch and transformers: only scoring imports this module.
"""

import os
import threading

from .metrics import AESTHETIC, CLIP_SCORE, PICK_SCORE

CLIP_MAX_TOKENS = 77
TEXT_CACHE = 10_000  # prompt embeddings kept per model (a few KB each)
_LOADED = {}  # (what, repo, revision, device) -> loaded object
_LOCK = threading.Lock()


def clip_score(image_embeds, text_embeds):
    """CLIPScore of matching rows: ``100 * max(cos, 0)`` (Hessel et al.
    2021; torchmetrics' ``clip_score``)."""
    import torch

    cos = torch.nn.functional.cosine_similarity(image_embeds.float(), text_embeds.float(),
                                                dim=-1)
    return 100 * cos.clamp(min=0)


def pick_score(image_embeds, text_embeds, logit_scale):
    """PickScore of matching rows: ``exp(logit_scale) * cos`` (the model
    card's ``logit_scale.exp() * text_embs @ image_embs.T``, diagonal),
    the scale capped at 100 as CLIP's training caps it."""
    import torch

    cos = torch.nn.functional.cosine_similarity(image_embeds.float(), text_embeds.float(),
                                                dim=-1)
    return logit_scale.exp().clamp(max=100).float() * cos


def _features(output):
    """Projected embeddings: transformers 5 returns them as the pooler
    output of a model output, 4.x as a tensor."""
    return output if hasattr(output, "shape") else output.pooler_output


def _loaded(key, load):
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = load()
        return _LOADED[key]


def commit_of(path):
    """The hub commit a cached file came from (``.../snapshots/<commit>/file``),
    or None for a local folder."""
    parts = os.path.normpath(str(path)).split(os.sep)
    if "snapshots" in parts[:-1]:
        return parts[parts.index("snapshots") + 1]
    return None


def _resolved_commit(repo, revision):
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(repo, "config.json", revision=revision)
        if isinstance(found, str):
            return commit_of(found)
    except Exception:  # noqa: BLE001 - the commit is a record, never a failure
        pass
    return None


class Clip:
    """A CLIP model and its processor on a device, embedding images and
    prompts in batches; prompts' embeddings are cached (many images share
    one prompt)."""

    def __init__(self, repo, revision, device, processor_repo=None):
        import torch
        from transformers import AutoProcessor, CLIPModel

        self.device = device
        self.model = CLIPModel.from_pretrained(repo, revision=revision).eval().to(device)
        self.processor = AutoProcessor.from_pretrained(processor_repo or repo,
                                                       revision=revision)
        self.commits = {repo: _resolved_commit(repo, revision)}
        if processor_repo:
            self.commits[processor_repo] = _resolved_commit(processor_repo, revision)
        self._texts = {}
        self._torch = torch

    def pixels(self, pictures):
        """The processor's resized, normalised pixels (CPU work: scoring
        runs it on the reader thread, beside the model's forward)."""
        return self.processor(images=pictures, return_tensors="pt")["pixel_values"]

    def embed_pixels(self, pixels):
        with self._torch.inference_mode():
            pixels = pixels.to(self.device, self.model.dtype)
            return _features(self.model.get_image_features(pixel_values=pixels))

    def images(self, pictures):
        return self.embed_pixels(self.pixels(pictures))

    def texts(self, prompts):
        missing = list(dict.fromkeys(p for p in prompts if p not in self._texts))
        if missing and len(self._texts) + len(missing) > TEXT_CACHE:
            self._texts = {}  # a long-lived process (the App) never grows without bound
            missing = list(dict.fromkeys(prompts))
        if missing:
            with self._torch.inference_mode():
                tokens = self.processor(text=missing, padding=True, truncation=True,
                                        max_length=CLIP_MAX_TOKENS, return_tensors="pt")
                tokens = {k: v.to(self.device) for k, v in tokens.items()
                          if k in ("input_ids", "attention_mask")}
                embeds = _features(self.model.get_text_features(**tokens))
            self._texts.update(zip(missing, embeds))
        return self._torch.stack([self._texts[p] for p in prompts])


def clip(repo, revision, device, processor_repo=None):
    return _loaded(("clip", repo, revision, processor_repo, device),
                   lambda: Clip(repo, revision, device, processor_repo))


class AestheticHead:
    """The LAION improved aesthetic predictor's MLP (768 -> 1024 -> 128 ->
    64 -> 16 -> 1, its dropouts idle at inference), as published in
    ``trl-lib/ddpo-aesthetic-predictor`` (a state dict with ``layers.N``
    keys)."""

    def __init__(self, repo, filename, revision, device):
        import torch
        from huggingface_hub import hf_hub_download

        path = hf_hub_download(repo, filename, revision=revision)
        self.commit = commit_of(path)
        self.layers = layers = torch.nn.Sequential(
            torch.nn.Linear(768, 1024), torch.nn.Dropout(0.2),
            torch.nn.Linear(1024, 128), torch.nn.Dropout(0.2),
            torch.nn.Linear(128, 64), torch.nn.Dropout(0.1),
            torch.nn.Linear(64, 16), torch.nn.Linear(16, 1))
        state = torch.load(path, map_location="cpu", weights_only=True)
        layers.load_state_dict({k.removeprefix("layers."): v for k, v in state.items()})
        layers.eval().to(device)

    def __call__(self, image_embeds):
        import torch

        with torch.inference_mode():
            normalised = image_embeds / torch.linalg.vector_norm(image_embeds, dim=-1,
                                                                 keepdim=True)
            return self.layers(normalised.float()).squeeze(-1)


class Scorer:
    """One metric on a device: ``score(pictures, prompts)`` -> floats (one
    per picture); ``commits`` names the hub commits its weights came from."""

    def __init__(self, metric, device):
        self.metric = metric
        self.clip = clip(metric.repo, metric.revision, device, metric.processor_repo)
        self.commits = dict(self.clip.commits)
        self.head = None
        if metric.kind == AESTHETIC:
            self.head = _loaded(("head", metric.head_repo, metric.head_file,
                                 metric.revision, device),
                                lambda: AestheticHead(metric.head_repo, metric.head_file,
                                                      metric.revision, device))
            self.commits[f"{metric.head_repo}/{metric.head_file}"] = self.head.commit
        elif metric.kind not in (CLIP_SCORE, PICK_SCORE):
            raise ValueError(f"{metric.id}: no scorer of kind {metric.kind!r}")

    def image_embeds(self, pictures):
        return self.clip.images(pictures)

    def score(self, pictures, prompts, image_embeds=None):
        embeds = self.image_embeds(pictures) if image_embeds is None else image_embeds
        kind = self.metric.kind
        if kind == AESTHETIC:
            values = self.head(embeds)
        else:
            texts = self.clip.texts(prompts)
            if kind == CLIP_SCORE:
                values = clip_score(embeds, texts)
            else:
                values = pick_score(embeds, texts, self.clip.model.logit_scale.detach())
        return [float(v) for v in values.cpu()]
