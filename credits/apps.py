"""Credits ledger: models and flows arrive with their own issue."""

from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = "Credits"
