"""JSON answers go through orjson (broker.jsonout) and say exactly what Flask's own would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

from broker.jsonout import OrjsonProvider


@dataclass
class Point:
    x: int
    label: str


VALUE = {
    "b": [1, 2.5, None, True],
    "a": {"when": datetime(2026, 12, 2, 9, 30, tzinfo=UTC), "day": date(2026, 1, 5)},
    "price": Decimal("12.50"),
    "point": Point(3, "Café <b>"),
}


def test_the_answer_is_the_same_json_as_flasks_own(app: Flask) -> None:
    assert isinstance(app.json, OrjsonProvider)
    with app.test_request_context():
        ours = jsonify(VALUE)
        theirs = DefaultJSONProvider(app).response(VALUE)
    assert ours.mimetype == theirs.mimetype == "application/json"
    assert json.loads(ours.get_data()) == json.loads(theirs.get_data())
    body = ours.get_data(as_text=True)
    # Compact, keys sorted, dates as Flask writes them (HTTP dates), UTF-8 text, one newline.
    assert body.endswith("}\n") and ": " not in body
    assert body.index('"a"') < body.index('"b"') < body.index('"point"')
    assert '"when":"Wed, 02 Dec 2026 09:30:00 GMT"' in body
    assert "Café <b>" in body


def test_debug_answers_stay_indented(app: Flask) -> None:
    app.debug = True
    with app.test_request_context():
        body = jsonify({"a": 1}).get_data(as_text=True)
    assert body == '{\n  "a": 1\n}\n'
