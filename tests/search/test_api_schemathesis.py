"""The public API agrees with its OpenAPI document: Schemathesis (a maintained OpenAPI fuzzer)
against the API served on loopback, with a fixed seed and a bounded number of examples.

Every response must be no server error, have a documented status code, content type and body;
requests the document allows must be accepted, and requests it forbids refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from werkzeug.serving import make_server

from broker import db
from tests import factories as f
from tests.conftest import close_app, make_app

#: Examples per operation (the whole run stays within a few seconds per operation).
EXAMPLES = 40


@pytest.fixture
def api_schema(tmp_path: Path, sqlite_url: str) -> Iterator[schemathesis.BaseSchema]:
    app = make_app(tmp_path, sqlite_url, MATCH_RATE_LIMIT="10000 per minute")
    with app.app_context():
        session = db.get_session()
        f.local_authority(session, code="886", name="Kent", region="south-east")
        provider = f.assured_provider(session, listings=0)
        for title in ("Phonics for infants", "Governor training", "Autism outreach"):
            f.listing(session, provider, title=title, local_authorities=["886"])
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        yield schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        close_app(app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_agrees_with_its_openapi_document(
    api_schema: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "GET /api/v1/listings",
        "GET /api/v1/listings/{id}",
        "POST /api/v1/match",
    }
    for operation in operations:
        # An operation with no parameters and no body (the feed's root) has nothing to make invalid.
        fixed = not list(operation.iter_parameters())
        no_body = not list(operation.get_request_payload_content_types())
        if mode == GenerationMode.NEGATIVE and fixed and no_body:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()
