"""Local servers for the real-adapter tests: ASGI apps behind httpx, or uvicorn on 127.0.0.1.

Adapters tested over a real socket (WeChat Pay) use it:
``serve`` runs a FastAPI app with uvicorn on an ephemeral port in a thread and waits, with a
bound, until it listens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1:<free port>; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # bounded polling: a real server is starting
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("local server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def local_server():
    """The ``serve`` context manager, for tests that start their own app."""
    return serve
