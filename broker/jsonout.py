"""JSON responses through orjson: the search API answers every search with one (issue 8).

Flask's default provider stays in charge of everything else (`tojson` in templates, `loads`);
only `response()` (what `jsonify` calls) is replaced. The output is the same JSON: compact,
keys sorted, and any value orjson does not know natively (dates, decimals, ...) handed to
Flask's own `default`, so an HTTP date stays an HTTP date. Non-ASCII text is sent as UTF-8
rather than as \\u escapes (the same JSON, and smaller). In debug mode answers stay indented.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response as BaseResponse

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_APPEND_NEWLINE
)


class OrjsonProvider(DefaultJSONProvider):
    def response(self, *args: Any, **kwargs: Any) -> BaseResponse:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        response_class = cast(type[Response], self._app.response_class)
        return response_class(body, mimetype=self.mimetype)
