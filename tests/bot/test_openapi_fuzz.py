"""A bounded schemathesis run against the app's own OpenAPI document: no input gives a 5xx.

The app runs in uvicorn on 127.0.0.1 (lifespan on, embedded mode on a private SQLite file);
schemathesis generates requests from every operation's declared parameters and bodies, a few
examples each (about a minute on a loaded machine at most), and fails on any 5xx answer and on
any status the document does not declare for that operation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from bot.openapi import AREA_ERRORS

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def running_app(tmp_path_factory, nlu_model_dir) -> Iterator[str]:
    from bot.app import create_app
    from bot.settings import Settings

    tmp = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp / 'app.db'}", var_dir=tmp / "var", sandbox=True,
                            nlu_model_dir=nlu_model_dir, demo_platform_transport="asgi",
                            demo_platform_latency_ms=0, demo_platform_jitter_ms=0, demo_price_walk_seconds=0)
    server = uvicorn.Server(uvicorn.Config(create_app(app_settings), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # the lifespan loads the NLU model
    while not server.started:  # bounded polling: a real server is starting
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def api(running_app):
    return schemathesis.openapi.from_url(f"{running_app}/openapi.json")


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_the_schema_allows_gives_a_server_error_or_an_undeclared_status(case):
    response = case.call(timeout=30)
    declared = any(case.operation.path.startswith(prefix) for prefix, _ in AREA_ERRORS)
    # conformance where bot/openapi.py declares the area's errors; no 5xx anywhere
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance] if declared
                           else [not_a_server_error])
