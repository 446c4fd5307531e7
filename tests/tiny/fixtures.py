"""pytest fixtures the tiny-pipeline tests share (import them by name)."""

import socket

import pytest

LOOPBACK = ("localhost", "127.0.0.1", "::1")

# The start of a script run in a fresh process: every connection and look-up
# is refused and recorded in ``attempts``, which the script prints at its end
NO_NETWORK_PREAMBLE = """\
import socket
attempts = []
def _refuse(*args, **kwargs):
    attempts.append(args[1:] if args else kwargs)
    raise OSError("network disabled in test")
socket.socket.connect = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Two intra-op threads on a busy 2-core machine make tiny forwards
    10-20x slower (threads wait on each other); one is fast and stable."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def no_network(monkeypatch):
    """Records (and refuses) every DNS look-up or connection to a
    non-loopback address; fails the test if there was any."""
    attempts = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in (*LOOPBACK, None):
            attempts.append(("getaddrinfo", host))
            raise OSError(f"network disabled in test (lookup of {host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            attempts.append(("connect", address))
            raise OSError(f"network disabled in test (connect to {address})")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts
    assert attempts == []
