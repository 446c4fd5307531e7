"""The example notebook as a user runs it (a real Jupyter kernel, the SDK
calls awaited in its event loop), and the SDK inside a running event loop."""

import asyncio
import os
import socket
import time
import uuid

import nbformat
import pytest
from nbclient import NotebookClient

import fiftyone as fo
import fiftyone.operators as foo

from tests.conftest import REPO, plugin_module
from tests.providers import provider_servers, register_versions

NOTEBOOK = os.path.join(REPO, "examples", "multigen.ipynb")
ARTIFACTS = os.path.join(REPO, "test-artifacts", "notebook")


@pytest.fixture
def servers(monkeypatch):
    """The provider servers, with Replicate's video models answering one
    video (as their cogs do)."""
    from tests.servers import video_output

    catalog = plugin_module("core.catalog")
    video_refs = [b.model_ref.split(":", 1)[0]
                  for m in catalog.models("img2video") + catalog.models("txt2video")
                  for b in m.backends if getattr(b, "model_ref", "")]
    with provider_servers(monkeypatch, replicate={
            "model_outputs": {ref: video_output() for ref in video_refs},
            "single_output": video_refs}) as running:
        register_versions(running["replicate"], catalog.models())
        yield running


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_example_notebook_runs_in_a_kernel(servers, monkeypatch, tmp_path):
    name = f"nb-{uuid.uuid4().hex[:8]}"
    port = free_port()
    # the kernel inherits this environment: the test database and plugins,
    # the provider servers and keys, the App on a free loopback port
    monkeypatch.setenv("MULTIGEN_EXAMPLE_DATASET", name)
    monkeypatch.setenv("FIFTYONE_DEFAULT_APP_PORT", str(port))
    monkeypatch.setenv("FIFTYONE_DEFAULT_APP_ADDRESS", "127.0.0.1")
    # FiftyOne records "no notebook" here once this process asks; the kernel
    # must find out for itself that it is one
    monkeypatch.delenv("FIFTYONE_CONTEXT", raising=False)
    with open(NOTEBOOK) as f:
        notebook = nbformat.read(f, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        try:
            client.execute()  # raises CellExecutionError, with the cell, on any error
        finally:  # the executed notebook, outputs and all, for a person to read
            os.makedirs(ARTIFACTS, exist_ok=True)
            nbformat.write(notebook, os.path.join(ARTIFACTS, "multigen.ipynb"))

        outputs = [o for cell in notebook.cells if cell.cell_type == "code"
                   for o in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        # a kernel may split one print over several stream outputs: join them
        # as they were written, without adding separators
        text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        assert "4 images; 0 failed" in text
        assert f"{name}-videos ['image', 'video'] 0 failed" in text
        assert f"{name}-text-videos video 0 failed" in text
        assert f"{name}-3d" in text and text.count("0 failed") == 4
        # the App session shows in the notebook
        session = notebook.cells[-1].outputs
        html = " ".join(str(o.get("data", {})) for o in session)
        assert str(port) in html, session

        dataset = fo.load_dataset(name)
        assert len(dataset) == 4
        assert sorted(dataset.distinct("generation.model")) == ["flux-schnell",
                                                               "stable-image-core"]
        videos = fo.load_dataset(f"{name}-videos")
        video_view = videos.select_group_slices("video")
        assert len(video_view) == 1 and video_view.first().filepath.endswith(".mp4")
        meshes = fo.load_dataset(f"{name}-3d")
        mesh_view = meshes.select_group_slices("mesh")
        assert sorted(mesh_view.values("generation.model")) == ["stable-fast-3d",
                                                               "via-image"]
    finally:
        for suffix in ("", "-text-videos", "-videos", "-3d"):
            if fo.dataset_exists(name + suffix):
                fo.delete_dataset(name + suffix)
    # the App the kernel started stops with it
    deadline = time.monotonic() + 60
    while port_open(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not port_open(port), "the notebook's App server outlived its kernel"


def test_sdk_calls_inside_a_running_event_loop(servers, dataset):
    """As in Jupyter: the call returns a task to await; bad values raise at
    the call; a run that fails raises when awaited."""
    txt2img = foo.get_operator("@multigen/generate/txt2img")
    img2video = foo.get_operator("@multigen/generate/img2video")

    async def notebook():
        task = txt2img(dataset, prompt="a corgi", model="flux-schnell",
                       backend="replicate", seed=4, num_images=2)
        assert isinstance(task, asyncio.Task)
        res = await task
        assert res.result["failed"] == [] and len(res.result["sample_ids"]) == 2

        with pytest.raises(ValueError, match="enter a prompt"):
            txt2img(dataset, prompt=" ", model="flux-schnell")

        # no images in the view: refused at the call, before anything runs
        with pytest.raises(ValueError, match="no image samples to use"):
            img2video(dataset.match_tags("no-such-tag"), model="svd-xt",
                      backend="replicate")

        # a folder that looks writable but is not fails the run: on await
        task = txt2img(dataset, prompt="a corgi", model="flux-schnell",
                       backend="replicate", output_dir="/proc/multigen-cannot-write")
        with pytest.raises(Exception, match="cannot be written"):
            await task

    asyncio.run(notebook())
    assert len(dataset) == 2
    assert set(dataset.values("generation.seed")) <= {4, 5}
