"""Cameos (verified likeness): models and flows arrive with their own issue."""

from django.apps import AppConfig


class LikenessConfig(AppConfig):
    name = "likeness"
    verbose_name = "Likeness (cameos)"
