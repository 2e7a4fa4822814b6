"""A system check: output moderation's settings name real NudeNet classes and sane thresholds
(a typo would otherwise surface only when the first clip is judged)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from moderation.detector import LABELS


@register()
def output_moderation_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    name = "OUTPUT_MODERATION_BLOCK_CLASSES"
    classes = settings.OUTPUT_MODERATION_BLOCK_CLASSES
    hint = f"Known classes: {', '.join(LABELS)}."
    errors: list[CheckMessage] = []
    if not classes:
        errors.append(Error(f"{name} is empty: nothing would ever be held.", hint=hint,
                            id="moderation.E001"))  # fmt: skip
    for item in classes:
        label, _sep, threshold = item.partition(":")
        if label.strip().upper() not in LABELS:
            errors.append(Error(f"{name}: unknown class {label!r}.", hint=hint,
                                id="moderation.E002"))  # fmt: skip
        try:
            value = float(threshold) if threshold else settings.OUTPUT_MODERATION_THRESHOLD
        except ValueError:
            value = -1.0
        if not 0.2 <= value <= 1.0:
            message = f"{name}: {item!r} needs a threshold from 0.2 (the floor) to 1."
            errors.append(Error(message, id="moderation.E003"))
    if settings.OUTPUT_MODERATION_SAMPLES_PER_SECOND < 1:
        message = "OUTPUT_MODERATION_SAMPLES_PER_SECOND must be at least 1."
        errors.append(Error(message, id="moderation.E004"))
    return errors
