"""The custom user: `username` is the public @handle."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

handle_validator = RegexValidator(
    regex=r"^[a-z0-9_.]{3,30}$",
    message="A handle is 3–30 characters: lowercase letters, digits, '_' and '.'.",
)


class ReverieUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Handles are case-insensitive: "Alice" logs in as "alice".
        return self.get(username__iexact=username)


class User(AbstractUser):
    username = models.CharField(
        "handle",
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text="3–30 characters: lowercase letters, digits, '_' and '.'.",
        error_messages={"unique": "That handle is taken."},
    )
    display_name = models.CharField(max_length=60, blank=True)

    objects = ReverieUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def handle(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username
