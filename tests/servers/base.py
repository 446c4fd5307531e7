"""Shared machinery for the local provider emulators.

Each emulator is a stdlib ``ThreadingHTTPServer`` bound to ``127.0.0.1`` on a
free port and served from a daemon thread, so a test can point a provider's
official client at it through the client's base-URL setting. Every request is
recorded (``RecordedRequest``); faults queued with ``fail_next`` are applied,
in order, to the next *generation* requests (the ones that create a
prediction or generate media), never to polls or file downloads.

Subclasses implement :meth:`ProtocolServer.handle` and return a
:class:`Response`; they decide what a generation request is by calling
:meth:`ProtocolServer.take_fault` (which also marks the request).
"""

from __future__ import annotations

import email.parser
import email.policy
import json as jsonlib
import socket
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "Fault",
    "ProtocolServer",
    "RecordedRequest",
    "Response",
    "UploadedFile",
    "json_response",
]


@dataclass
class UploadedFile:
    """One file part of a multipart/form-data body."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """A request as the server saw it.

    ``headers`` has lower-case keys. ``json`` is the decoded JSON body (or
    None), ``form`` the text parts and ``files`` the file parts of a
    multipart body. ``generation`` is True for create/generate requests.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    generation: bool = False
    time: float = field(default_factory=time.time)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # send only this many bytes of the body, then drop the connection (a
    # download cut short: Content-Length still announces the whole body)
    truncate_to: int | None = None


@dataclass
class Fault:
    kind: str
    options: dict[str, Any]


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    return Response(status, jsonlib.dumps(obj).encode(), hdrs)


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    form: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    if not msg.is_multipart():
        return form, files
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            charset = part.get_content_charset() or "utf-8"
            form[name] = data.decode(charset, errors="replace")
    return form, files


class ProtocolServer:
    """Base class: lifecycle, request recording, fault queue, latency.

    Attributes:
        url: ``http://127.0.0.1:<port>`` once started.
        requests: every request received, in arrival order.
        errors: tracebacks of exceptions raised while handling (a bug in the
            emulator, answered with a bare 500); tests may assert it's empty.
        latency: seconds a successful generation request takes.
        expected_key: the only API key accepted.
    """

    #: fault kinds ``fail_next`` accepts; extended by subclasses
    FAULT_KINDS: frozenset[str] = frozenset({"rate_limit", "server_error", "bad_request"})

    def __init__(self, expected_key: str, *, latency: float = 0.0, host: str = "127.0.0.1"):
        self.expected_key = expected_key
        self.latency = latency
        self.host = host
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()  # open (keep-alive) connections
        self._rendezvous: threading.Barrier | None = None
        self._rendezvous_left = 0
        # the provider's documented limit on generation requests, enforced
        # when set: (requests, per seconds), over a sliding window
        self.rate_limit: tuple[int, float] | None = None
        self._recent: deque[float] = deque()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "ProtocolServer":
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, 0), _make_handler(self))
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self.url = f"http://{self.host}:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name=f"{type(self).__name__}-{httpd.server_address[1]}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:  # drop keep-alive connections, so a stopped server stays silent
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- faults and counters ------------------------------------------------
    def fail_next(self, kind: str, count: int = 1, **options: Any) -> None:
        """Queue ``count`` faults of ``kind`` for the next generation requests."""
        if kind not in self.FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(self.FAULT_KINDS)}")
        with self._lock:
            for _ in range(count):
                self._faults.append(Fault(kind, dict(options)))

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def over_rate_limit(self) -> int | None:
        """None when one more generation request fits ``rate_limit`` (and
        counts it), else the whole seconds until one would."""
        if self.rate_limit is None:
            return None
        count, window = self.rate_limit
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] >= window:
                self._recent.popleft()
            if len(self._recent) < count:
                self._recent.append(now)
                return None
            return max(1, int(window - (now - self._recent[0]) + 0.999))

    def rate_headroom(self) -> tuple[int, float] | None:
        """(requests left in the window, seconds until the oldest leaves it),
        as providers report them in response headers; None without a limit."""
        if self.rate_limit is None:
            return None
        count, window = self.rate_limit
        now = time.monotonic()
        with self._lock:
            left = max(0, count - len(self._recent))
            reset = window - (now - self._recent[0]) if self._recent else 0.0
        return left, max(0.0, reset)

    def rendezvous(self, count: int, timeout: float = 120.0) -> None:
        """Hold the next ``count`` generation requests until all ``count`` are in
        flight at once. A client that sends fewer at a time leaves them waiting
        until ``timeout``, and then each is recorded in ``errors`` and answered
        with a 500: concurrency is shown by a condition, not by timing."""
        with self._lock:
            self._rendezvous = threading.Barrier(count, timeout=timeout)
            self._rendezvous_left = count

    def take_fault(self, request: RecordedRequest) -> Fault | None:
        """Mark ``request`` as a generation request and pop the next fault."""
        request.generation = True
        with self._lock:
            barrier = self._rendezvous if self._rendezvous_left > 0 else None
            self._rendezvous_left -= 1 if barrier else 0
            fault = self._faults.popleft() if self._faults else None
        if barrier is not None:
            barrier.wait()  # BrokenBarrierError after the timeout: an emulator error
        return fault

    def count(self, path: str | None = None, method: str | None = None, *, generation: bool | None = None) -> int:
        """Number of recorded requests whose path starts with ``path``, etc."""
        with self._lock:
            reqs = list(self.requests)
        return sum(
            1 for r in reqs
            if (path is None or r.path.startswith(path))
            and (method is None or r.method == method.upper())
            and (generation is None or r.generation == generation)
        )

    @property
    def generation_count(self) -> int:
        """How many create/generate requests arrived (faulted ones included)."""
        return self.count(generation=True)

    def reset(self) -> None:
        """Forget recorded requests, errors and queued faults."""
        with self._lock:
            self.requests.clear()
            self.errors.clear()
            self._faults.clear()

    def sleep_latency(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)

    def bearer_token(self, request: RecordedRequest) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None

    # -- to implement -------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Response:  # pragma: no cover
        raise NotImplementedError

    # -- plumbing -----------------------------------------------------------
    def _dispatch(self, handler: BaseHTTPRequestHandler) -> Response:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = RecordedRequest(
            method=handler.command, path=parts.path, query=parse_qs(parts.query),
            headers=headers, body=body,
        )
        ctype = headers.get("content-type", "")
        try:
            if ctype.startswith("application/json") and body:
                request.json = jsonlib.loads(body)
            elif ctype.startswith("multipart/form-data"):
                request.form, request.files = parse_multipart(ctype, body)
            elif ctype.startswith("application/x-www-form-urlencoded"):
                request.form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        except ValueError:
            request.json = None  # handlers answer malformed bodies themselves
        with self._lock:
            self.requests.append(request)
        try:
            return self.handle(request)
        except Exception:  # an emulator bug: record it and answer a bare 500
            self.errors.append(traceback.format_exc())
            return Response(500, b"emulator error", {"Content-Type": "text/plain"})


class _Server(ThreadingHTTPServer):
    # the default listen backlog of 5 overflows when a run opens 16+
    # connections at once on a busy machine, and the kernel then resets some
    request_queue_size = 128


def _make_handler(server: ProtocolServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = type(server).__name__

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server._conns.add(self.connection)

        def finish(self) -> None:
            with server._lock:
                server._conns.discard(self.connection)
            super().finish()

        def _serve(self) -> None:
            resp = server._dispatch(self)
            self.send_response(resp.status)
            for key, value in resp.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body[:resp.truncate_to])
            if resp.truncate_to is not None:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:  # silence
            pass

    return Handler
