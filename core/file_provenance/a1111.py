"""The ``parameters`` text A1111 writes into its images and Civitai reads:

    a red car in the rain
    Negative prompt: blurry
    Steps: 30, Sampler: Euler a, CFG scale: 7, Seed: 51, Size: 1024x1024, Model: sdxl

The prompt, a ``Negative prompt:`` line when there is one, then one line of
``key: value`` pairs; a value holding ``,``, ``:`` or a line break is quoted
as JSON, as A1111 does. Keys whose value is unknown (a hosted model's
sampler) are left out. ``Template`` is written as A1111's dynamic-prompts
extension writes it.
"""

import json


def parameters(fields, size=None):
    """The text for a provenance record (``size``: the file's (width,
    height) when the options do not say)."""
    params = fields.get("params") or {}
    lines = []
    if fields.get("prompt"):
        lines.append(str(fields["prompt"]))
    if fields.get("negative_prompt"):
        lines.append(f"Negative prompt: {fields['negative_prompt']}")
    width, height = _size(params) or size or (None, None)
    pairs = [
        ("Steps", params.get("num_inference_steps")),
        ("Sampler", params.get("sampler") or params.get("scheduler")),
        ("CFG scale", _first(params, "guidance_scale", "cfg_scale")),
        ("Seed", fields.get("seed")),
        ("Size", f"{width}x{height}" if width and height else None),
        ("Model", fields.get("model")),
        ("Backend", fields.get("backend")),
        ("Template", fields.get("template")),
    ]
    lines.append(", ".join(f"{key}: {quote(value)}" for key, value in pairs
                           if value not in (None, "")))
    return "\n".join(lines)


def quote(value):
    """A value as A1111 writes it: quoted when it holds a separator."""
    text = str(value)
    if not any(c in text for c in ",:\n"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _first(params, *names):
    return next((params[n] for n in names if params.get(n) is not None), None)


def _size(params):
    if params.get("width") and params.get("height"):
        return params["width"], params["height"]
    size = str(params.get("size") or "")
    if "x" in size:
        width, _, height = size.partition("x")
        if width.isdigit() and height.isdigit():
            return int(width), int(height)
    return None
