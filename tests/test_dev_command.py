"""`dev.py`: `run` installs the runtime only, `test`/`setup` the test and GPU extras; a full
install also serves `run`, and a changed pyproject.toml means a new install."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("reverie_dev", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VENV", tmp_path)
    return module


def test_run_needs_no_extras_and_test_needs_the_test_extra(dev: ModuleType) -> None:
    assert dev.extras_for("run", {}) == []
    assert dev.extras_for("test", {}) == ["test"]
    assert dev.extras_for("setup", {}) == ["test"]
    assert dev.extras_for("run", {"REVERIE_EXTRAS": "gpu"}) == ["gpu"]
    assert dev.extras_for("run", {"DIFFUSERS_MODEL_PATH": "/models/wan"}) == ["gpu"]


def test_stamps_decide_what_is_installed(dev: ModuleType, tmp_path: Path) -> None:
    assert not dev._satisfied("abc", [])
    (tmp_path / dev._stamp_name("abc", [])).touch()
    assert dev._satisfied("abc", [])
    assert not dev._satisfied("abc", ["test"])  # a lean venv lacks pytest & co.
    (tmp_path / dev._stamp_name("abc", ["test"])).touch()
    assert dev._satisfied("abc", ["gpu"])  # the test extra includes the GPU one
    assert not dev._satisfied("def", [])  # pyproject.toml changed: install again
    # The full install keeps the name older venvs (and CI's) already carry.
    assert dev._stamp_name("abc", ["test"]) == ".reverie-installed-abc"


def test_the_runtime_dependencies_leave_out_test_and_gpu_packages() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]).lower()
    for heavy in ("torch", "diffusers", "playwright", "pytest", "moto", "schemathesis"):
        assert heavy not in runtime
    assert "reverie[gpu]" in project["optional-dependencies"]["test"]
