#!/usr/bin/env python3
"""Reverie's two commands, on a fresh machine that has only Python >= 3.11:

    python3 dev.py run     # set up (venv, deps, DB, demo) and run web + worker + beat + Redis
    python3 dev.py test    # set up and run the whole test suite (extra args go to pytest)
    python3 dev.py setup   # only set up the venv with the test and GPU extras (what CI uses)

Standard library only: it creates `.venv`, installs the project into it when pyproject.toml
changed since the last install, then hands over to `config.launcher` inside the venv.

`run` installs only what running needs (the provider SDKs included); `test` and `setup` add the
`test` and `gpu` extras (pytest, Playwright, moto, torch, diffusers…). More extras for `run`:
`REVERIE_EXTRAS=gpu python3 dev.py run` (also implied by DIFFUSERS_MODEL_PATH).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("REVERIE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def extras_for(command: str, env: Mapping[str, str]) -> list[str]:
    """The optional dependency groups a command needs; `run` needs none unless asked."""
    if command in {"test", "setup"}:
        return ["test"]  # `test` includes `gpu` (the diffusers backend is tested on the CPU)
    extras = [item.strip() for item in env.get("REVERIE_EXTRAS", "").split(",") if item.strip()]
    if env.get("DIFFUSERS_MODEL_PATH") and "gpu" not in extras:
        extras.append("gpu")
    return sorted(set(extras))


def _stamp_name(digest: str, extras: list[str]) -> str:
    # The full install (test extra) has the historical name, so existing venvs stay valid.
    if extras == ["test"]:
        return f".reverie-installed-{digest}"
    return f".reverie-installed-{digest}-{'+'.join(extras) or 'run'}"


def _satisfied(digest: str, extras: list[str]) -> bool:
    """An install with the test extra also satisfies `run` (it holds every runtime package)."""
    if (VENV / _stamp_name(digest, extras)).exists():
        return True
    return set(extras) <= {"gpu"} and (VENV / _stamp_name(digest, ["test"])).exists()


def ensure_venv(command: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this runs on whatever python3 the user has)
        sys.exit(f"Reverie needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    extras = extras_for(command, os.environ)
    if _satisfied(digest, extras):
        return
    if not PYTHON.exists():
        print(f"· creating a virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    what = f" with the {', '.join(extras)} extras" if extras else " (runtime dependencies only)"
    print(f"· installing Reverie{what}: first run only", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    target = f"{ROOT}[{','.join(extras)}]" if extras else str(ROOT)
    # No byte-compiling of every installed file (a third of the install time): Python compiles
    # what it imports on first use. The venv's own pip (Python >= 3.11 ships 23.x) is enough.
    subprocess.run([*pip, "install", "--no-compile", "-e", target], check=True)
    for old in VENV.glob(".reverie-installed-*"):
        # Stamps of other extras stay valid only while pyproject.toml is unchanged.
        if digest not in old.name:
            old.unlink()
    (VENV / _stamp_name(digest, extras)).touch()


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "setup"}:
        sys.exit(__doc__)
    ensure_venv(sys.argv[1])
    if sys.argv[1] == "setup":
        return
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "config.launcher", *sys.argv[1:]])


if __name__ == "__main__":
    main()
