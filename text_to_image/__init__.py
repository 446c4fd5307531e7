"""Text to image: the ``txt2img`` operator and its models."""
