"""The shapes a clip can take, defined once: models, services, serializers, the pages, the router
and the OpenAPI schema all read them here. No models (backends import it without Django apps)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Aspect(models.TextChoices):
    PORTRAIT = "9:16", gettext_lazy("9:16 portrait")
    SQUARE = "1:1", gettext_lazy("1:1 square")
    LANDSCAPE = "16:9", gettext_lazy("16:9 landscape")


TIERS = ("standard", "pro")  # each has a base price in generation.pricing
DEFAULT_TIER = "standard"
FPS_CHOICES = (24, 30)
DEFAULT_FPS = 30
