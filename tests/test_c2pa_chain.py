"""One provenance chain per deployment: with DEBUG off, the system check refuses a host without a
configured C2PA chain and names the command that makes one; the command's chain signs clips that
check valid on any host configured with it."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from generation.checks import c2pa_chain_configured
from generation.provenance import ClipProvenance, check_clip, sign_clip
from generation.renderer import RenderSpec, render_clip

ROOT = Path(__file__).resolve().parent.parent


def test_debug_off_without_a_chain_is_a_check_error_naming_the_command() -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "reverie.example",
        "C2PA_SIGN_CERT": "",
        "C2PA_PRIVATE_KEY": "",
    }
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode != 0
    assert "generation.E001" in result.stderr and "make_c2pa_chain" in result.stderr


def test_the_check_in_process(settings: Any, tmp_path: Path) -> None:
    settings.DEBUG = True
    settings.C2PA_SIGN_CERT = settings.C2PA_PRIVATE_KEY = ""
    assert c2pa_chain_configured() == []  # development: a per-host chain is fine
    settings.DEBUG = False
    assert [e.id for e in c2pa_chain_configured()] == ["generation.E001"]
    call_command("make_c2pa_chain", out=str(tmp_path / "c2pa"), organization="Example Co")
    settings.C2PA_SIGN_CERT = str(tmp_path / "c2pa" / "chain.pem")
    settings.C2PA_PRIVATE_KEY = str(tmp_path / "c2pa" / "key.pem")
    assert c2pa_chain_configured() == []
    other = tmp_path / "other"
    call_command("make_c2pa_chain", out=str(other))
    settings.C2PA_PRIVATE_KEY = str(other / "key.pem")  # not that chain's key
    assert [e.id for e in c2pa_chain_configured()] == ["generation.E002"]


def test_the_command_makes_a_chain_every_host_signs_and_checks_with(
    settings: Any, tmp_path: Path
) -> None:
    out = tmp_path / "chain"
    call_command("make_c2pa_chain", out=str(out), organization="Example Co")
    assert stat.S_IMODE((out / "key.pem").stat().st_mode) == 0o600
    with pytest.raises(CommandError):  # never overwritten by accident
        call_command("make_c2pa_chain", out=str(out))
    settings.C2PA_SIGN_CERT = str(out / "chain.pem")
    settings.C2PA_PRIVATE_KEY = str(out / "key.pem")
    clip = tmp_path / "clip.mp4"
    render_clip(RenderSpec(prompt="a boat at sunset", seconds=1, seed=1), video_path=clip,
                poster_path=tmp_path / "poster.jpg")  # fmt: skip
    info = ClipProvenance(title="t", creator_handle="a", backend="local", model="m", job_id="j")
    sign_clip(source=clip, destination=clip, info=info)
    # Another host: a different development folder, the same configured chain.
    settings.C2PA_DEV_DIR = tmp_path / "elsewhere"
    assert check_clip(stream_or_path=clip).status == "valid"
