"""The unit layer: the plugin's plain functions, with no database, no App and
no models. Run alone in seconds: ``.venv/bin/python -m pytest tests/unit``.

The plugin is imported as the package ``multigen`` from this checkout (the
session's plugins folder links it under that name), as FiftyOne imports it,
so its relative imports and its model registration run as they do there.
"""

import importlib
import sys

import pytest

from tests.conftest import PLUGINS_DIR

if PLUGINS_DIR not in sys.path:
    sys.path.insert(0, PLUGINS_DIR)


def module(name):
    """A module of the plugin, e.g. ``module("core.request")``; ``""`` for
    the package itself."""
    plugin = importlib.import_module("multigen")  # registers every task's models
    return importlib.import_module(f"multigen.{name}") if name else plugin


@pytest.fixture(scope="session")
def no_keys():
    return {"OPENAI_API_KEY": None, "REPLICATE_API_TOKEN": None,
            "STABILITY_API_KEY": None, "HF_TOKEN": None}


@pytest.fixture(scope="session")
def all_keys():
    return {"OPENAI_API_KEY": "sk-unit-openai-0000", "REPLICATE_API_TOKEN": "r8_unit0000",
            "STABILITY_API_KEY": "sk-unit-stability-0000", "HF_TOKEN": "hf_unit0000"}
