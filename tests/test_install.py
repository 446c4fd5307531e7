"""The install path a user takes: ``fiftyone plugins download`` of the
repository's zip (served on loopback, as GitHub serves a branch archive) into
an empty plugins folder, the requirements commands, ``plugins info``, and an
operator of the downloaded copy generating through a provider server."""

import functools
import json
import os
import subprocess
import sys
import threading
import uuid
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import REPO
from tests.providers import KEYS

FIFTYONE = os.path.join(os.path.dirname(sys.executable), "fiftyone")
PLUGIN = "@multigen/generate"


def repo_files():
    """The working tree's files as git sees them: tracked plus untracked
    ones not ignored (what a commit of this tree would hold)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    return [p for p in listed if p and os.path.isfile(os.path.join(REPO, p))]


def build_zip(path):
    """A branch archive as GitHub makes one: every file under one folder."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in repo_files():
            archive.write(os.path.join(REPO, name), f"generate-main/{name}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The plugin downloaded into an empty plugins folder; yields the env
    of a user whose FiftyOne uses that folder (and the test database)."""
    served = tmp_path_factory.mktemp("served")
    build_zip(served / "generate-main.zip")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    plugins = tmp_path_factory.mktemp("plugins")
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env.update(FIFTYONE_PLUGINS_DIR=str(plugins),
               # requirements are met here: never reach an index from a test
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    url = f"http://127.0.0.1:{server.server_address[1]}/generate-main.zip"
    try:
        out = fiftyone(env, "plugins", "download", url)
        yield {"env": env, "plugins": str(plugins), "download": out}
    finally:
        server.shutdown()
        server.server_close()


def fiftyone(env, *args, timeout=300):
    done = subprocess.run([FIFTYONE, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, (
        f"fiftyone {' '.join(args)} failed ({done.returncode}):\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def test_download_installs_the_plugin_from_a_zip(installed):
    found = [root for root, _, files in os.walk(installed["plugins"])
             if "fiftyone.yml" in files]
    assert len(found) == 1, installed["download"]
    for name in ("__init__.py", "requirements.txt", "core/operator.py",
                 "text_to_image/operator.py"):
        assert os.path.isfile(os.path.join(found[0], name)), name
    listed = fiftyone(installed["env"], "plugins", "list")
    assert PLUGIN in listed


def test_requirements_install_then_ensure(installed):
    fiftyone(installed["env"], "plugins", "requirements", PLUGIN, "--install",
             timeout=600)
    out = fiftyone(installed["env"], "plugins", "requirements", PLUGIN, "--ensure")
    assert "not satisfied" not in out.lower()
    printed = fiftyone(installed["env"], "plugins", "requirements", PLUGIN, "--print")
    assert "diffusers" in printed and "replicate" in printed


def test_info_shows_the_operators_and_secrets(installed):
    info = fiftyone(installed["env"], "plugins", "info", PLUGIN)
    with open(os.path.join(REPO, "fiftyone.yml")) as f:
        import yaml

        declared = yaml.safe_load(f)
    for name in declared["operators"] + declared["secrets"]:
        assert name in info, f"{name} missing from plugins info:\n{info}"
    assert declared["version"] in info


RUN_DOWNLOADED = """
import inspect, json, sys
import fiftyone as fo
import fiftyone.operators as foo

op = foo.get_operator("@multigen/generate/txt2img")
dataset = fo.Dataset(sys.argv[1], persistent=True)
res = op(dataset, prompt="a corgi from a zip", model="flux-schnell",
         backend="replicate", seed=3, num_images=2)
print(json.dumps({"source": inspect.getfile(type(op)), "result": res.result}))
"""


def test_an_operator_of_the_downloaded_copy_generates(installed, monkeypatch):
    import fiftyone as fo

    from tests.conftest import plugin_module
    from tests.providers import provider_servers, register_versions

    name = f"zip-{uuid.uuid4().hex[:8]}"
    with provider_servers(monkeypatch) as servers:
        register_versions(servers["replicate"],
                          plugin_module("core.catalog").models("txt2img"))
        env = dict(installed["env"])
        env.update({k: os.environ[k] for k in (*KEYS, "REPLICATE_BASE_URL",
                                               "OPENAI_BASE_URL", "STABILITY_BASE_URL")})
        done = subprocess.run([sys.executable, "-c", RUN_DOWNLOADED, name], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert servers["replicate"].generation_count >= 1
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # the operator that ran is the downloaded copy, not this checkout
    assert out["source"].startswith(installed["plugins"]), out["source"]
    assert out["result"]["failed"] == []
    try:
        dataset = fo.load_dataset(name)
        assert len(dataset) == 2
        assert set(dataset.distinct("generation.model")) == {"flux-schnell"}
        for sample in dataset:
            assert os.path.isfile(sample.filepath)
    finally:
        fo.delete_dataset(name)
