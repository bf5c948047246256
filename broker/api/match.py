"""POST /api/v1/match: the matcher as a public, stateless, rate-limited JSON endpoint."""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from broker.api import schemas
from broker.api.views import answer, bp
from broker.db import get_session
from broker.errors import BrokerError, InvalidInput
from broker.extensions import limiter
from broker.matching import forms
from broker.matching import services as matching
from broker.search.engine import get_search

#: Largest request body read (10 needs of 2,000 characters fit with room to spare).
MAX_BODY = 64_000


class BodyTooLarge(BrokerError):
    status = 413


def _rate_limit() -> str:
    return str(current_app.config["MATCH_RATE_LIMIT"])


@bp.post("/match")
@limiter.limit(_rate_limit)
def match() -> Response:
    if (request.content_length or 0) > MAX_BODY:
        raise BodyTooLarge(f"The request body must be at most {MAX_BODY:,} bytes.")
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise InvalidInput("body", "Send a JSON object with a list of needs.")
    session = get_session()
    parsed = forms.parse_match_request(body)
    school = matching.locate(session, parsed.school.context())
    engine = get_search()
    needs = []
    for item in parsed.needs:
        found = matching.suggest(session, engine, school, item.need(), parsed.limit)
        results = [
            schemas.MatchResult(
                id=s.listing.id or 0,
                title=s.listing.title,
                provider=schemas.MatchProvider(name=s.provider.name),
                score=s.score,
                reasons=s.reasons,
                url=url_for("directory.listing", listing_id=s.listing.id, _external=True),
            )
            for s in found
        ]
        needs.append(schemas.NeedResults(results=results))
    return answer(schemas.MatchResponse(needs=needs))


@bp.after_app_request
def _match_headers(response: Response) -> Response:
    # Runs after the blueprint's CORS hook: answers to a POST are never cached, and a browser
    # on another site may POST JSON here.
    if request.endpoint == "api.match":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    return response
