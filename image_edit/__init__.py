"""Edit images: the ``imgedit`` operator and its models."""

from .models import MODELS
from .operator import EditImages

OPERATORS = (EditImages,)
