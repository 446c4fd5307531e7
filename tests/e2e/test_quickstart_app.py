"""The README's first command, ``./scripts/quickstart.sh``: it sets up, links
the plugin, creates the demo dataset and opens the App with the plugin ready.

Run here against the test database, with an empty plugins folder (so the
plugin is only there if the quickstart put it there), no provider keys (a
user's first minutes) and no package index (the set-up must find everything
installed and change nothing)."""

import os
import subprocess

import fiftyone as fo

from tests.conftest import REPO, SESSION_DIR
from tests.providers import KEYS

from .conftest import free_port, stop_group, wait_for_http
from .ui import AppUI, expect

OPERATORS = ("Generate images from text", "Generate videos from images",
             "Generate 3D from text", "Generate 3D from images")


def test_quickstart_opens_the_app_with_the_plugin_on_the_demo_dataset(browser, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in KEYS and not k.endswith("_BASE_URL")}
    env.update(FIFTYONE_PLUGINS_DIR=str(tmp_path / "plugins"), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    log_path = os.path.join(SESSION_DIR, "quickstart.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            ["./scripts/quickstart.sh", "--remote", "--port", str(port),
             "--address", "127.0.0.1"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}", proc, log_path, timeout=300)
        assert os.path.islink(tmp_path / "plugins" / "multigen")
        demo = fo.load_dataset("multigen-demo")
        assert len(demo) == 3 and demo.media_type == "image"

        app = AppUI(browser.new_page(), f"http://127.0.0.1:{port}",
                    os.path.join(REPO, "test-artifacts", "screenshots"))
        try:
            app.open_dataset("multigen-demo")
            app.expect_grid_images(3)
            app.page.keyboard.press("`")
            app.page.get_by_placeholder("Search operations by name...").fill("Generate")
            for label in OPERATORS:
                expect(app.page.get_by_text(label, exact=True).first).to_be_visible()
            app.shot("quickstart-operators")
            app.page.get_by_text(OPERATORS[0], exact=True).first.click()
            app.label("Models").wait_for()
            # no key and no GPU: a model made for one step on a CPU, local
            app.expect_models(["SDXS-512 (one step, CPU-friendly)"])
            expect(app.form.get_by_text("openrail++").first).to_be_visible()
            app.shot("quickstart-first-form")
        finally:
            app.page.close()
    finally:
        stop_group(proc)
        if fo.dataset_exists("multigen-demo"):
            fo.delete_dataset("multigen-demo")
