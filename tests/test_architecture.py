"""The import rules of docs/architecture.md, checked on the source (no Django needed).

Every import counts, including those deferred into functions: a circle held together by an
import inside a function is still a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.api_errors import HTTP_STATUS
from config.errors import Conflict, Forbidden, NotFound, PaymentRequired, PromptBlocked
from config.throttling import RateLimited

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "config", "credits", "feed", "generation", "likeness", "moderation")

# generation/, bottom to top: a module may import only modules on its own level or below.
GENERATION_LAYERS: tuple[tuple[str, ...], ...] = (
    ("generation.choices", "generation.models"),
    ("generation.backends", "generation.renderer", "generation.postprocess",
     "generation.provenance", "generation.policy", "generation.policy_default",
     "generation.policy_releases",
     "generation.external_moderation"),
    ("generation.pricing",),
    ("generation.routing",),
    ("generation.jobs",),
    ("generation.backend_health",),
    ("generation.attempts",),
    ("generation.selectors",),
    ("generation.services",),
    ("generation.serializers",),
    ("generation.api", "generation.views", "generation.admin", "generation.tasks",
     "generation.apps", "generation.urls", "generation.api_urls", "generation.management",
     "generation.checks"),
)  # fmt: skip
# Doors: nothing but Django's URL conf, the admin registry and Celery's autodiscovery imports
# them (tasks are sent by their registered names).
DOOR_SUFFIXES = (".api", ".views", ".admin", ".tasks", ".consumers", ".urls", ".api_urls")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


MODULES = _app_modules()


def _resolve(name: str) -> str | None:
    """The app module an imported name lives in (a module, or the package it is defined in)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                if target is not None:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from generation import services` names a module; `from x import f`, a name.
                target = _resolve(f"{base}.{alias.name}") or _resolve(base)
                if target is not None:
                    yield target, node.lineno


def _graph() -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        for target, line in _imports(module, path):
            if target != module:
                edges.setdefault(target, line)
    return graph


GRAPH = _graph()


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_is_read() -> None:
    # Guards the checks below against passing on an empty graph.
    assert GRAPH["generation.attempts"].keys() >= {"generation.jobs", "generation.routing"}
    assert "generation.attempts" in GRAPH["generation.services"]


def test_no_import_cycles_among_app_modules() -> None:
    cycles = _cycles(GRAPH)
    assert cycles == [], "import cycles (function-level imports included): " + "; ".join(
        " ↔ ".join(cycle) for cycle in cycles
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _layer_of(module: str) -> int | None:
    for level, members in enumerate(GENERATION_LAYERS):
        if any(module == member or module.startswith(member + ".") for member in members):
            return level
    return None


def test_generation_imports_point_down() -> None:
    upward = []
    for module, edges in GRAPH.items():
        level = _layer_of(module)
        if level is None:
            continue
        for target, line in edges.items():
            target_level = _layer_of(target)
            if target_level is not None and target_level > level:
                upward.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target}")
    assert upward == []


def test_every_generation_module_has_a_layer() -> None:
    unplaced = [m for m in MODULES if m.startswith("generation.") and _layer_of(m) is None]
    assert unplaced == []


def test_nothing_imports_a_door() -> None:
    allowed = {
        ("config.urls", ".urls"),
        ("config.urls", ".api_urls"),
        ("config.urls", ".views"),
        ("config.routing", ".consumers"),  # the websocket URL conf
    }
    offenders = []
    for module, edges in GRAPH.items():
        if module.endswith(".urls") or module.endswith(".api_urls"):
            continue  # URL confs route to views
        for target, line in edges.items():
            suffix = next((s for s in DOOR_SUFFIXES if target.endswith(s)), None)
            if suffix is None or (module, suffix) in allowed:
                continue
            if target.rpartition(".")[0] == module.rpartition(".")[0] and module.endswith(
                DOOR_SUFFIXES
            ):
                continue  # one door of an app reusing another of the same app
            offenders.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target}")
    assert offenders == []


@pytest.mark.parametrize("layer", ["services", "selectors"])
def test_no_app_writes_or_reads_through_another_apps_doors(layer: str) -> None:
    offenders = [
        f"{module} imports {target}"
        for module, edges in GRAPH.items()
        if module.endswith("." + layer)
        for target in edges
        if target.endswith(DOOR_SUFFIXES)
        or target.endswith(".serializers")
        and target.split(".")[0] != module.split(".")[0]
    ]
    assert offenders == []


def _domain_error_codes() -> dict[str, str]:
    """Every `code="…"` given to an error raised in app code, with where it is."""
    codes: dict[str, str] = {}
    for module, path in MODULES.items():
        if ".backends" in module:
            continue  # providers' own error codes, not ours
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        codes.setdefault(str(keyword.value.value), f"{module}:{node.lineno}")
    return codes


def test_the_status_mapping_knows_every_subclass_code() -> None:
    for error_type in (Conflict, Forbidden, NotFound, PaymentRequired, PromptBlocked, RateLimited):
        assert error_type.code in HTTP_STATUS, error_type
    assert set(HTTP_STATUS.values()) <= {402, 403, 404, 409, 410, 422, 429, 502, 503}
    # Codes raised in app code are strings a client can branch on.
    assert all(code.replace("_", "").isalnum() for code in _domain_error_codes())
