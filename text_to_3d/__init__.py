"""Text and image to 3D: the ``txt2mesh`` and ``img2mesh`` operators and their
models (Shap-E, Stable Fast 3D, SPAR3D, TRELLIS, Hunyuan3D, and text -> any
image model -> any image-to-3D model)."""

from .models import MODELS
from .operators import ImageTo3D, TextTo3D

OPERATORS = (TextTo3D, ImageTo3D)
