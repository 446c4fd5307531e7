"""Image to video: the ``img2video`` operator and its models."""

from .models import MODELS
from .operator import ImageToVideo

OPERATORS = (ImageToVideo,)
