from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Output moderation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from moderation import checks  # noqa: F401  (registers the system check)
