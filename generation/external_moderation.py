"""Optional external moderation of prompts: an OpenAI-shaped `POST /v1/moderations` endpoint
(OpenAI's own, or any gateway or self-hosted server with its wire format), through the official
`openai` SDK. Off unless `EXTERNAL_MODERATION_API_KEY` is set; it runs after the local policy
passed a prompt, so it can only add refusals.

When the endpoint fails (down, slow, an error) the answer depends on
`EXTERNAL_MODERATION_FAIL_CLOSED`: off (the default), the local policy alone decides and the
failure is logged; on, the prompt is refused with a "try again later" reason.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache

import openai
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openai import OpenAI

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise

# The endpoint's category names → what the person is told.
CATEGORY_REASONS: dict[str, StrOrPromise] = {
    "sexual/minors": gettext_lazy("sexual content involving minors"),
    "sexual": gettext_lazy("sexual content"),
    "violence/graphic": gettext_lazy("graphic violence"),
    "violence": gettext_lazy("violence"),
    "self-harm/intent": gettext_lazy("self-harm"),
    "self-harm/instructions": gettext_lazy("self-harm"),
    "self-harm": gettext_lazy("self-harm"),
    "hate/threatening": gettext_lazy("hate"),
    "hate": gettext_lazy("hate"),
    "harassment/threatening": gettext_lazy("harassment"),
    "harassment": gettext_lazy("harassment"),
    "illicit/violent": gettext_lazy("violent wrongdoing"),
    "illicit": gettext_lazy("wrongdoing"),
}


@dataclass(frozen=True)
class ExternalRefusal:
    reason_code: str
    reason: str


def external_moderation_enabled() -> bool:
    return bool(settings.EXTERNAL_MODERATION_API_KEY)


@lru_cache(maxsize=4)
def _client(api_key: str, base_url: str, timeout: float) -> OpenAI:
    return OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=1)


def _category_reason(categories: dict[str, bool]) -> tuple[str, StrOrPromise]:
    for name, words in CATEGORY_REASONS.items():
        if categories.get(name):
            return name, words
    flagged = next((name for name, on in categories.items() if on), "other")
    return flagged, flagged.replace("/", " ").replace("-", " ")


def external_moderation_check(text: str) -> ExternalRefusal | None:
    """None when the endpoint (if configured) lets the text through, else why not."""
    if not external_moderation_enabled():
        return None
    client = _client(
        settings.EXTERNAL_MODERATION_API_KEY,
        settings.EXTERNAL_MODERATION_BASE_URL.rstrip("/"),
        settings.EXTERNAL_MODERATION_TIMEOUT,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            response = client.moderations.create(
                model=settings.EXTERNAL_MODERATION_MODEL, input=text
            )
        results = list(response.results)
    except (openai.OpenAIError, ValueError, TypeError) as exc:
        logger.warning("External moderation unavailable (%s): %s", type(exc).__name__, exc)
        if settings.EXTERNAL_MODERATION_FAIL_CLOSED:
            return ExternalRefusal(
                reason_code="moderation:unavailable",
                reason=_("Our moderation service is unavailable; please try again in a minute."),
            )
        return None
    for result in results:
        if not result.flagged:
            continue
        categories = {
            name: bool(on) for name, on in result.categories.model_dump(by_alias=True).items()
        }
        name, words = _category_reason(categories)
        return ExternalRefusal(
            reason_code=f"moderation:{name}"[:40],
            reason=_("Our moderation service flagged this prompt for %(category)s.")
            % {"category": words},
        )
    return None
