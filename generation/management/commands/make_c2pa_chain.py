"""Make the deployment's C2PA signing chain (a P-256 CA and a signing certificate it issued)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.provenance import _make_dev_chain, _write_atomically


class Command(BaseCommand):
    help = (
        "Write chain.pem (signing certificate first, then its CA) and key.pem into --out; set "
        "C2PA_SIGN_CERT and C2PA_PRIVATE_KEY to them on every host."
    )
    # It is what the C2PA check asks for, so it must run while that check fails.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="A directory (made if missing).")
        parser.add_argument("--organization", default="Reverie", help="Organization name.")
        parser.add_argument("--signer", default="Reverie signer", help="Signer's common name.")
        parser.add_argument("--ca-days", type=int, default=10 * 365)
        parser.add_argument("--leaf-days", type=int, default=3 * 365)
        parser.add_argument("--force", action="store_true", help="Replace an existing chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).resolve()
        chain_path, key_path = out / "chain.pem", out / "key.pem"
        if (chain_path.exists() or key_path.exists()) and not options["force"]:
            raise CommandError(
                f"{out} already holds a chain; every host must keep using it (--force replaces "
                "it, and clips signed before stay valid only if the old CA stays trusted)."
            )
        out.mkdir(parents=True, exist_ok=True)
        os.chmod(out, 0o700)
        chain_pem, key_pem = _make_dev_chain(
            organization=options["organization"],
            signer_name=options["signer"],
            ca_days=options["ca_days"],
            leaf_days=options["leaf_days"],
        )
        _write_atomically(key_path, key_pem, 0o600)
        _write_atomically(chain_path, chain_pem, 0o644)
        self.stdout.write(f"C2PA_SIGN_CERT={chain_path}\nC2PA_PRIVATE_KEY={key_path}\n")
