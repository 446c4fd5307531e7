"""Compare models: the "Compare models" panel (grid, leaderboard, blind
arena) and the arena's votes and ratings from Python.

Plain functions live in small modules (``outputs``, ``grid``, ``pairs``,
``votes``, ``ratings``, ``charts``); the panel and the operator only call
them. Importing this package stays light: choix (and numpy) load when
ratings are computed.
"""

from . import ratings as _ratings
from . import votes as _votes
from .operators import ArenaResults
from .panel import ComparePanel

# the modules, for casting or deleting a vote from Python
votes_module = _votes
ratings_module = _ratings

OPERATORS = (ArenaResults,)
PANELS = (ComparePanel,)


def votes(samples):
    """Every arena vote on the dataset of ``samples``, oldest first (dicts,
    see :mod:`compare.votes`)."""
    return _votes.votes(samples)


def ratings(samples, bootstrap=_ratings.BOOTSTRAP, seed=0):
    """The arena's Bradley-Terry ratings for the dataset of ``samples``,
    best first, with 95% intervals (see :func:`compare.ratings.ratings`)."""
    return _ratings.ratings(_votes.votes(samples), bootstrap=bootstrap, seed=seed)


def win_rates(samples):
    """``(models, matrix)`` of the arena's win rates (see
    :func:`compare.ratings.win_rates`)."""
    return _ratings.win_rates(_votes.votes(samples))
