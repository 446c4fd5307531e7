"""Local HTTP emulators of the hosted providers, for tests.

Each server speaks its provider's real wire protocol (faults included) on
127.0.0.1, so the official clients talk to it unchanged via their base-URL
settings:

* :class:`ReplicateServer` - ``REPLICATE_BASE_URL=server.url``
* :class:`OpenAIServer` - ``OPENAI_BASE_URL=server.url + "/v1"``
* :class:`StabilityServer` - ``STABILITY_BASE_URL=server.url`` (plain requests)

Usage::

    with ReplicateServer(latency=0.1) as server:
        server.fail_next("rate_limit", retry_after=1)
        ...
        assert server.generation_count == 2
"""

from .base import ProtocolServer, RecordedRequest, Response, UploadedFile
from .openai_server import OpenAIServer
from .replicate_server import ReplicateServer, glb_output, image_output, video_output
from .stability_server import StabilityServer

__all__ = [
    "OpenAIServer",
    "ProtocolServer",
    "RecordedRequest",
    "ReplicateServer",
    "Response",
    "StabilityServer",
    "UploadedFile",
    "glb_output",
    "image_output",
    "video_output",
]
