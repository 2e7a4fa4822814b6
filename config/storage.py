"""Named storages: public media (published clips) and private media (drafts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files: under PRIVATE_MEDIA_ROOT, with no URL at all.

    The location is read lazily (like FileSystemStorage does with MEDIA_ROOT) so tests and
    workers can point it elsewhere without re-creating model fields.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)
        setting_changed.connect(self._clear_private_location)

    def _clear_private_location(self, *, setting: str, **kwargs: Any) -> None:
        if setting == "PRIVATE_MEDIA_ROOT":
            for name in ("base_location", "location"):
                self.__dict__.pop(name, None)

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, str(settings.PRIVATE_MEDIA_ROOT))

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through an authorization check.")


def private_storage() -> Storage:
    """Drafts and other files that are never at a public URL."""
    return storages["private"]


def public_storage() -> Storage:
    return storages["default"]
