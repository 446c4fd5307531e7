"""Text to video: the ``txt2video`` operator and its models."""

from .models import MODELS
from .operator import TextToVideo

OPERATORS = (TextToVideo,)
