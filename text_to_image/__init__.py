"""Text to image: the ``txt2img`` operator and its models."""

from .models import MODELS
from .operator import TextToImage

OPERATORS = (TextToImage,)
