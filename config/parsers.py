"""The API's JSON parser: DRF's, plus a depth limit. DRF catches only ValueError, so a body of
100,000 nested brackets raised RecursionError and answered 500; now any body nested deeper than
`MAX_JSON_DEPTH` is a 400 before a view sees it."""

from __future__ import annotations

import codecs
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

# Our deepest legitimate body (a routing policy or webhook) nests 4–5 levels.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value: Any, *, limit: int) -> bool:
    """Whether a parsed JSON value nests deeper than `limit` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class DepthLimitedJSONParser(JSONParser):
    """DRF reads a JSON body straight from the socket, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE:
    read at most that much (413 beyond it), then parse with a depth limit (400 beyond it)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(_("The request body is too large."))
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(codecs.decode(raw, encoding), parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError(_("JSON nested too deeply.")) from exc
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        if json_depth_exceeds(data, limit=MAX_JSON_DEPTH):
            raise ParseError(_("JSON nested too deeply."))
        return data
