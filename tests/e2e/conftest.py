"""The FiftyOne App as a user runs it, for the browser tests.

``fiftyone app launch`` runs in its own process on 127.0.0.1 with the test
session's FiftyOne (the same mongod, plugins folder and hub cache, see
tests/conftest.py), the provider servers' base URLs and keys, and tiny local
pipelines in the hub cache. Headless Chromium (Debian's ``chromium``) is
driven by Playwright; every request that is not to 127.0.0.1 is blocked.

The App gets keys for Replicate and Stability AI but not for OpenAI, so the
form's "key missing" path is what a user without that key sees.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import pytest

from tests.conftest import HUB_CACHE, REPO, SESSION_DIR
from tests.providers import KEYS

from .ui import AppUI

SCREENSHOTS = os.path.join(REPO, "test-artifacts", "screenshots")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# the keys the App process gets: OpenAI's is left out on purpose
APP_KEYS = ("REPLICATE_API_TOKEN", "STABILITY_API_KEY")
# tiny local pipelines the browser tests run (repo ids as the catalog names them)
LOCAL_REPOS = ["stable-diffusion-v1-5/stable-diffusion-v1-5"]


def chromium_path():
    """Debian's Chromium (``MULTIGEN_CHROMIUM`` names another); None when
    there is none."""
    wanted = os.environ.get("MULTIGEN_CHROMIUM")
    found = [wanted] if wanted else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((path for path in found if path and os.access(path, os.X_OK)), None)


def require_browser():
    """Skips (or, under ``MULTIGEN_REQUIRE_BROWSER=1`` as in CI, fails) when
    Chromium or Playwright is missing."""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Playwright is not installed (pip install playwright)"
    if problem is None and not chromium_path():
        problem = "Chromium is not installed (apt-get install -y chromium)"
    if problem is None:
        return
    if os.environ.get("MULTIGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (MULTIGEN_REQUIRE_BROWSER=1): {problem}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replicate_outputs(catalog):
    """What the Replicate server returns per model: one video for video
    models (as their cogs do), a GLB for 3D ones, images otherwise. Returns
    (outputs by "owner/name", the refs answering a single file)."""
    from tests.servers import glb_output, video_output

    makers = {"img2video": video_output, "txt2video": video_output,
              "txt2mesh": glb_output, "img2mesh": glb_output}
    outputs, single = {}, set()
    for task, maker in makers.items():
        for model in catalog.models(task):
            for backend in model.backends:
                ref = getattr(backend, "model_ref", "").split(":", 1)[0]
                if ref:
                    outputs[ref] = maker()
                    if task in ("img2video", "txt2video"):
                        single.add(ref)
    return outputs, single


@pytest.fixture(scope="package")
def providers():
    """The provider servers, running in this process (tests queue faults on
    them); the App process reaches them through base URLs."""
    require_browser()
    from tests.conftest import plugin_module
    from tests.providers import register_versions
    from tests.replicate_schemas import INPUTS
    from tests.servers import OpenAIServer, ReplicateServer, StabilityServer

    catalog = plugin_module("core.catalog")
    outputs, single = replicate_outputs(catalog)
    servers = {
        "replicate": ReplicateServer(KEYS["REPLICATE_API_TOKEN"], schemas=INPUTS,
                                     model_outputs=outputs, single_output=single),
        "openai": OpenAIServer(KEYS["OPENAI_API_KEY"]),
        "stability": StabilityServer(KEYS["STABILITY_API_KEY"]),
    }
    for server in servers.values():
        server.start()
    register_versions(servers["replicate"], catalog.models())
    yield servers
    for server in servers.values():
        server.stop()


def app_env(servers):
    env = {k: v for k, v in os.environ.items()
           if k not in KEYS and not k.endswith("_BASE_URL")}
    env.update({
        "REPLICATE_BASE_URL": servers["replicate"].url,
        "OPENAI_BASE_URL": servers["openai"].url + "/v1",
        "STABILITY_BASE_URL": servers["stability"].url,
        # tiny pipelines: one thread is much faster and steadier on 2 cores
        "OMP_NUM_THREADS": "1",
        # FiftyOne's setting that lets the App schedule delegated operations
        # (the README tells users the same)
        "FIFTYONE_ALLOW_LEGACY_ORCHESTRATORS": "true",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({name: KEYS[name] for name in APP_KEYS})
    return env


@pytest.fixture(scope="package")
def app_url(providers):
    """``fiftyone app launch`` on a free loopback port; its URL."""
    from tests.tiny.text_to_image import install_text_to_image

    install_text_to_image(HUB_CACHE, LOCAL_REPOS)
    import fiftyone as fo

    # the App needs a dataset to start on; tests open their own
    start = fo.Dataset(f"e2e-start-{uuid.uuid4().hex[:6]}", persistent=True)
    port = free_port()
    log_path = os.path.join(SESSION_DIR, "app.log")
    fiftyone = os.path.join(os.path.dirname(sys.executable), "fiftyone")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [fiftyone, "app", "launch", start.name, "--remote", "--port", str(port),
             "--address", "127.0.0.1", "--wait", "-1"],
            env=app_env(providers), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url, proc, log_path)
        yield url
    finally:
        stop_group(proc)
        start.delete()


def wait_for_http(url, proc, log_path, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    with open(log_path, errors="replace") as f:
        tail = f.read()[-3000:]
    raise RuntimeError(f"the App did not start at {url} (exit {proc.poll()}):\n{tail}")


def children(pid):
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def stop_group(proc):
    """Stops the App: its process group, and the group of its server, which
    FiftyOne runs in a session of its own (left alone, it would notice its
    parent is gone only a while later)."""
    groups = [proc.pid]
    for pid in children(proc.pid) if os.path.isdir("/proc") else []:
        try:
            groups.append(os.getpgid(pid))
        except ProcessLookupError:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in dict.fromkeys(groups):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(group) for group in groups):
            proc.poll()  # reaps the App's own process
            time.sleep(0.2)
        if not any(alive(group) for group in groups):
            break
    proc.wait(timeout=5)


def alive(group):
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def loopback_only(route):
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture(scope="package")
def playwright():
    """Playwright, once for the package (its sync API runs once per thread)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pictures
    with sync_playwright() as pw:
        yield pw


def launch_chromium(pw):
    """Headless Chromium with a fresh profile, loopback only."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=SESSION_DIR)
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=chromium_path(), headless=True,
        args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000},
    )
    context.route("**/*", loopback_only)
    return context


@pytest.fixture(scope="package")
def browser(playwright):
    """One headless Chromium for the package (a fresh profile), loopback only."""
    context = launch_chromium(playwright)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def second_browser(playwright):
    """Another Chromium with a profile of its own: a second person."""
    context = launch_chromium(playwright)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def source_images(dataset_name, tmp_path):
    """A persistent dataset of two pictures a user might bring to life or
    turn into 3D (a sun over a field, a red ball)."""
    import fiftyone as fo
    from PIL import Image, ImageDraw

    samples = []
    for i, (sky, ground, sun) in enumerate([((135, 206, 235), (34, 139, 34), (255, 215, 0)),
                                            ((250, 250, 250), (200, 200, 200), (220, 30, 30))]):
        image = Image.new("RGB", (160, 120), sky)
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 80, 160, 120], fill=ground)
        draw.ellipse([55, 20, 105, 70], fill=sun)
        # Stability's SPAR3D wants 640 px a side
        image = image.resize((960, 720), Image.NEAREST)
        path = str(tmp_path / f"picture-{i}.png")
        image.save(path)
        samples.append(fo.Sample(filepath=path, tags=["source"]))
    dataset = fo.Dataset(dataset_name, persistent=True)
    dataset.add_samples(samples)
    dataset.compute_metadata()
    return dataset


@pytest.fixture
def dataset_name():
    """A fresh persistent dataset (the App process opens it by name)."""
    import fiftyone as fo

    name = f"e2e-{uuid.uuid4().hex[:8]}"
    yield name
    for existing in fo.list_datasets():
        if existing == name or existing.startswith(name + "-"):
            fo.delete_dataset(existing)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def app(browser, app_url, request):
    """A page of the App. At the end a screenshot named after the test
    shows the finished state (or where it stopped: then the page's HTML and
    the App's log are kept beside it)."""
    page = browser.new_page()
    ui = AppUI(page, app_url, SCREENSHOTS)
    yield ui
    try:
        name = request.node.name
        ui.settle()
        ui.shot(name)
        if getattr(request.node, "e2e_failed", False):
            with open(os.path.join(SCREENSHOTS, f"{name}.html"), "w") as f:
                f.write(page.content())
            shutil.copy(os.path.join(SESSION_DIR, "app.log"),
                        os.path.join(SCREENSHOTS, f"{name}.app.log"))
    finally:
        page.close()
