"""A fake of OpenAI's `POST /v1/moderations` (the shape gateways and self-hosted moderation
servers copy), for the `openai` SDK: Bearer auth, `{"model", "input"}` with a string or a list
of strings, one result per input with `flagged`, the 13 `categories` (slash names such as
"sexual/minors"), `category_scores` and `category_applied_input_types`, and OpenAI's error
envelope. Point the SDK at `fake.url + "/v1"`.

What gets flagged: an input containing a word of `fake.flag_words` (word → category), or a
marker "[flag:<category>]".
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request

CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
    "sexual/minors", "violence", "violence/graphic",
)  # fmt: skip
MODELS = ("omni-moderation-latest", "omni-moderation-2024-09-26", "text-moderation-latest")


class FakeOpenAIModerations(FakeProvider):
    def __init__(self, api_key: str = "sk-test-moderation") -> None:
        super().__init__()
        self.api_key = api_key
        self.flag_words: dict[str, str] = {"ungood": "violence/graphic", "doubleplus": "hate"}
        self._ids = itertools.count(1)

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", code="invalid_api_key")
        if request.method != "POST" or request.path.rstrip("/") != "/v1/moderations":
            return _error(404, f"Unknown path {request.path}", code="not_found")
        body = request.json or {}
        model = body.get("model", "omni-moderation-latest")
        if model not in MODELS:
            return _error(400, f"The model `{model}` does not exist.", code="model_not_found",
                          param="model")  # fmt: skip
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            return _error(400, "Invalid input.", code="invalid_value", param="input")
        return Reply(
            200,
            {
                "id": f"modr-{next(self._ids)}",
                "model": model,
                "results": [self._result(text) for text in inputs],
            },
        )

    def _result(self, text: str) -> dict[str, Any]:
        flagged = {f"{m}" for m in re.findall(r"\[flag:([a-z/\-]+)\]", text)}
        for word, category in self.flag_words.items():
            if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
                flagged.add(category)
        return {
            "flagged": bool(flagged),
            "categories": {name: name in flagged for name in CATEGORIES},
            "category_scores": {name: 0.97 if name in flagged else 0.0004 for name in CATEGORIES},
            "category_applied_input_types": {name: ["text"] for name in CATEGORIES},
        }


def _error(status: int, message: str, *, code: str | None, param: str | None = None) -> Reply:
    return Reply(
        status,
        {"error": {"message": message, "type": "invalid_request_error", "param": param,
                   "code": code}},
    )  # fmt: skip
