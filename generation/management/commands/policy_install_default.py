"""Install the shipped default policy's missing categories, rules and rights holders."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from generation.policy_default import default_policy_install, default_policy_upgrade
from generation.policy_releases import previous_fingerprints


class Command(BaseCommand):
    help = (
        "Create the default policy's categories, rules and rights holders that are missing "
        "(after an upgrade adds some) and bring shipped rows nobody edited to this release's "
        "content. Rows a moderator edited are kept unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Also reset the shipped rules and rights holders to their shipped content.",
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        with transaction.atomic():
            if reset:
                created = default_policy_install(apps, update=True)
            else:
                created = default_policy_upgrade(apps, previous=previous_fingerprints())
        self.stdout.write(
            f"{created['rules']} rules and {created['rights_holders']} rights holders created, "
            f"{created.get('updated', 0)} unedited shipped rows updated."
        )
