"""Image to video: the ``img2video`` operator and its models."""
