#!/usr/bin/env python3
"""Reverie's two commands, on a fresh machine that has only Python >= 3.11:

    python3 dev.py run     # set up (venv, deps, DB, demo) and run web + worker + beat + Redis
    python3 dev.py test    # set up and run the whole test suite (extra args go to pytest)

Standard library only: it creates `.venv`, installs the project into it when pyproject.toml
changed since the last install, then hands over to `config.launcher` inside the venv.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("REVERIE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this runs on whatever python3 the user has)
        sys.exit(f"Reverie needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".reverie-installed-{digest}"
    if stamp.exists():
        return
    if not PYTHON.exists():
        print(f"· creating a virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("· installing Reverie and its dependencies (first run only)", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True)
    for old in VENV.glob(".reverie-installed-*"):
        old.unlink()
    stamp.touch()


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "setup"}:
        sys.exit(__doc__)
    ensure_venv()
    if sys.argv[1] == "setup":
        return
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "config.launcher", *sys.argv[1:]])


if __name__ == "__main__":
    main()
