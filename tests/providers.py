"""Fixtures-in-a-function: start the local provider servers and point the
real clients at them through the environment, as a user's keys would be."""

import contextlib

from tests.servers import OpenAIServer, ReplicateServer, StabilityServer
from tests.replicate_schemas import INPUTS

KEYS = {
    "OPENAI_API_KEY": "sk-test-openai-0123456789abcdef",
    "REPLICATE_API_TOKEN": "r8_testreplicate0123456789abcdef",
    "STABILITY_API_KEY": "sk-test-stability-0123456789abcdef",
}


@contextlib.contextmanager
def provider_servers(monkeypatch, replicate_server=None, **server_kwargs):
    """Starts one server per provider (``replicate_server``: a ready-made
    Replicate server to use instead of the default; ``replicate={...}`` etc.:
    keyword arguments of the default servers); yields them as a dict."""
    servers = {
        "replicate": replicate_server or ReplicateServer(
            KEYS["REPLICATE_API_TOKEN"], schemas=INPUTS,
            **server_kwargs.get("replicate", {})),
        "openai": OpenAIServer(KEYS["OPENAI_API_KEY"], **server_kwargs.get("openai", {})),
        "stability": StabilityServer(KEYS["STABILITY_API_KEY"],
                                     **server_kwargs.get("stability", {})),
    }
    for server in servers.values():
        server.start()
    try:
        monkeypatch.setenv("REPLICATE_BASE_URL", servers["replicate"].url)
        monkeypatch.setenv("OPENAI_BASE_URL", servers["openai"].url + "/v1")
        monkeypatch.setenv("STABILITY_BASE_URL", servers["stability"].url)
        for name, value in KEYS.items():
            monkeypatch.setenv(name, value)
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def register_versions(replicate_server, models):
    """Tells the Replicate server about the pinned versions the catalog uses."""
    for model in models:
        for backend in model.backends:
            ref = getattr(backend, "model_ref", "")
            if ":" in ref:
                owner_name, version = ref.split(":", 1)
                replicate_server.add_version(owner_name, version)
