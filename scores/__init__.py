"""Scores: metrics declared as data (:mod:`scores.metrics`), scoring as
plain functions (:mod:`scores.scoring`) and the ``score`` operator. Exports
METRICS and OPERATORS, as the task packages export MODELS and OPERATORS."""

from .metrics import METRICS
from .operator import ScoreOperator
from .scoring import Session

OPERATORS = (ScoreOperator,)

__all__ = ["METRICS", "OPERATORS", "Session"]
