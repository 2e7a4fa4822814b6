"""Create the admin account if missing (used by `dev.py run`); never changes an existing one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = "Create a superuser with the given handle and password unless it already exists."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--handle", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args: Any, handle: str, password: str, **options: Any) -> None:
        if User.objects.filter(username__iexact=handle).exists():
            return
        User.objects.create_superuser(username=handle.lower(), email="", password=password)
        self.stdout.write(f"created admin @{handle}")
