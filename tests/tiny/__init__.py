"""Tiny random-weight models written into a temporary Hugging Face hub cache for tests.

* ``tiny.hub_cache``: lay files out as huggingface_hub's cache does, env helpers.
* ``tiny.text_to_image``: tiny text-to-image diffusers pipelines under the real repo ids.

Importing this package imports neither torch nor huggingface_hub.
"""
