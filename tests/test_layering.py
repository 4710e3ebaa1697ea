"""The layer rules of DESIGN.md, checked on every module under src/airhotline.

Data flows one way: ``geo``/``units`` (pure) ← ``detect/`` (pure) ← core ← service.
Imports are read with `ast` (at any depth: inside functions and ``TYPE_CHECKING``
blocks too, relative imports resolved), so a rule cannot be dodged by importing late.
Every module is also imported for real, so a module that cannot even be imported fails
here first. The walk is generic: new modules and packages are picked up as they appear.
"""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import airhotline

PACKAGE = "airhotline"
ROOT = Path(airhotline.__file__).resolve().parent
#: Third-party packages allowed in the pure layers (geo, units, detect).
PURE_THIRD_PARTY = {"numpy", "pyproj"}
WEB_FRAMEWORKS = {"fastapi", "starlette"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    def imports(self) -> set[str]:
        """Every module this one imports, as absolute dotted names.

        ``from a.b import c`` yields both ``a.b`` and ``a.b.c`` (``c`` may be a module);
        rules on names below a prefix then catch either.
        """
        tree = ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path))
        return imported_names(tree, self.name, self.is_package)


def imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    names: set[str] = set()
    # The package relative imports start from.
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 >= len(here):
                    raise ValueError(f"{module}: relative import beyond the top package")
                base_parts = here[: len(here) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name}


def discover() -> list[Module]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if any(part.startswith(".") or part == "__pycache__" for part in parts):
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules.append(Module(".".join([PACKAGE, *parts]), path, is_package))
    return modules


MODULES = discover()


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def project_imports(module: Module) -> set[str]:
    return {name for name in module.imports() if within(name, PACKAGE) and name != PACKAGE}


def top_level(name: str) -> str:
    return name.split(".")[0]


def modules_in(prefix: str) -> list[Module]:
    return [m for m in MODULES if within(m.name, prefix)]


def ids(modules: list[Module]) -> list[str]:
    return [m.name for m in modules]


# --- the walk itself ---------------------------------------------------------------------


def test_discovery_finds_the_known_modules() -> None:
    names = {m.name for m in MODULES}
    for expected in (
        "airhotline",
        "airhotline.geo",
        "airhotline.units",
        "airhotline.detect",
        "airhotline.detect.tactical",
        "airhotline.detect.broadphase",
    ):
        assert expected in names


def test_import_resolution() -> None:
    source = """
import numpy as np
import airhotline.geo
from airhotline import units
from . import broadphase
from .states import TrackStates
from .. import geo as g
from ..store.journal import Journal
def late():
    from airhotline.service import app
"""
    found = imported_names(ast.parse(source), "airhotline.detect.tactical", is_package=False)
    assert {
        "numpy",
        "airhotline.geo",
        "airhotline.units",
        "airhotline.detect.broadphase",
        "airhotline.detect.states",
        "airhotline.detect.states.TrackStates",
        "airhotline.store.journal",
        "airhotline.service",
        "airhotline.service.app",
    } <= found
    # In a package's __init__, "." is the package itself.
    found = imported_names(ast.parse("from .tactical import x"), "airhotline.detect", True)
    assert "airhotline.detect.tactical" in found


@pytest.mark.parametrize("module", MODULES, ids=ids(MODULES))
def test_every_module_imports(module: Module) -> None:
    if module.name.endswith(".__main__"):
        pytest.skip("running __main__ has side effects")
    if "alembic.context" in module.imports():
        pytest.skip("an Alembic env script: only alembic itself can run it")
    importlib.import_module(module.name)


# --- the rules ---------------------------------------------------------------------------


DETECT = modules_in("airhotline.detect")


@pytest.mark.parametrize("module", DETECT, ids=ids(DETECT))
def test_detect_imports_only_geo_units_and_itself(module: Module) -> None:
    allowed = ("airhotline.geo", "airhotline.units", "airhotline.detect")
    wrong = {n for n in project_imports(module) if not any(within(n, a) for a in allowed)}
    assert not wrong, f"{module.name} imports {sorted(wrong)}"


@pytest.mark.parametrize(
    ("name", "allowed"), [("airhotline.units", ()), ("airhotline.geo", ("airhotline.units",))]
)
def test_geo_and_units_import_nothing_of_the_project(name: str, allowed: tuple[str, ...]) -> None:
    (module,) = [m for m in MODULES if m.name == name]
    wrong = {n for n in project_imports(module) if not any(within(n, a) for a in allowed)}
    assert not wrong, f"{name} imports {sorted(wrong)}"


PURE = [m for m in MODULES if m.name in ("airhotline.geo", "airhotline.units")] + DETECT


@pytest.mark.parametrize("module", PURE, ids=ids(PURE))
def test_pure_layers_use_only_numpy_and_pyproj(module: Module) -> None:
    third_party = {
        top_level(n)
        for n in module.imports()
        if top_level(n) not in sys.stdlib_module_names and top_level(n) != PACKAGE
    }
    assert third_party <= PURE_THIRD_PARTY, f"{module.name} imports {sorted(third_party)}"


OUTSIDE_SERVICE = [m for m in MODULES if not within(m.name, "airhotline.service")]


@pytest.mark.parametrize("module", OUTSIDE_SERVICE, ids=ids(OUTSIDE_SERVICE))
def test_nothing_outside_service_imports_a_web_framework(module: Module) -> None:
    web = {top_level(n) for n in module.imports()} & WEB_FRAMEWORKS
    assert not web, f"{module.name} imports {sorted(web)}; only airhotline.service may"


BELOW_SERVICE = [
    m
    for m in MODULES
    if any(within(m.name, f"airhotline.{layer}") for layer in ("geo", "units", "detect", "store"))
]


@pytest.mark.parametrize("module", BELOW_SERVICE, ids=ids(BELOW_SERVICE))
def test_lower_layers_do_not_reach_up(module: Module) -> None:
    upper = ("airhotline.service", "airhotline.cli", "airhotline.feeds", "airhotline.web")
    wrong = {n for n in project_imports(module) if any(within(n, u) for u in upper)}
    assert not wrong, f"{module.name} imports {sorted(wrong)}"


# --- the core and its adapters -------------------------------------------------------------

LEAVES = (
    "airhotline.errors",
    "airhotline.units",
    "airhotline.geo",
    "airhotline.clock",
    "airhotline.ids",
    "airhotline.bounds",
    "airhotline.i18n",
)
CORE = modules_in("airhotline.core")
#: Third-party packages the core may use: array code, planar geometry (Shapely: the
#: areas of notices), spatial indexes (SciPy's k-d tree: the notice screen) and locale
#: formatting (Babel reads only CLDR's data that it ships), nothing that does the
#: hotline's I/O.
CORE_THIRD_PARTY = {"numpy", "babel", "shapely", "scipy"}


def test_the_core_and_the_leaves_are_found() -> None:
    names = {m.name for m in MODULES}
    assert set(LEAVES) <= names
    assert {"airhotline.core.ports", "airhotline.core.events", "airhotline.core.node"} <= names
    assert "airhotline.core.alerts.engine" in {m.name for m in CORE}


@pytest.mark.parametrize("module", CORE, ids=ids(CORE))
def test_core_imports_only_the_leaves_detect_and_itself(module: Module) -> None:
    allowed = (*LEAVES, "airhotline.detect", "airhotline.core")
    wrong = {n for n in project_imports(module) if not any(within(n, a) for a in allowed)}
    assert not wrong, f"{module.name} imports {sorted(wrong)}: the core sees adapters only as ports"


@pytest.mark.parametrize("module", CORE, ids=ids(CORE))
def test_core_uses_no_database_web_or_io_library(module: Module) -> None:
    third_party = {
        top_level(n)
        for n in module.imports()
        if top_level(n) not in sys.stdlib_module_names and top_level(n) != PACKAGE
    }
    assert third_party <= CORE_THIRD_PARTY, f"{module.name} imports {sorted(third_party)}"


LEAF_MODULES = [m for m in MODULES if m.name in LEAVES]


@pytest.mark.parametrize("module", LEAF_MODULES, ids=ids(LEAF_MODULES))
def test_leaves_import_only_leaves(module: Module) -> None:
    wrong = {n for n in project_imports(module) if not any(within(n, a) for a in LEAVES)}
    assert not wrong, f"{module.name} imports {sorted(wrong)}"


ADAPTERS = modules_in("airhotline.store") + modules_in("airhotline.bus")


@pytest.mark.parametrize("module", ADAPTERS, ids=ids(ADAPTERS))
def test_adapters_reach_the_core_but_no_edge_and_not_each_other(module: Module) -> None:
    own = module.name.split(".")[1]
    other = {"store": "airhotline.bus", "bus": "airhotline.store"}[own]
    edges = (
        "airhotline.service",
        "airhotline.cli",
        "airhotline.files",
        "airhotline.simulate",
        "airhotline.bootstrap",
        "airhotline.settings",
        other,
    )
    wrong = {n for n in project_imports(module) if any(within(n, e) for e in edges)}
    assert not wrong, f"{module.name} imports {sorted(wrong)}"


OUTSIDE_BOOTSTRAP = [
    m
    for m in MODULES
    if not within(m.name, "airhotline.bootstrap") and not within(m.name, "airhotline.cli")
]


@pytest.mark.parametrize("module", OUTSIDE_BOOTSTRAP, ids=ids(OUTSIDE_BOOTSTRAP))
def test_only_the_composition_root_and_the_commands_choose_adapters(module: Module) -> None:
    """A node is wired in `bootstrap`; the commands call it. Nothing else picks a bus
    (the store package itself, and the service's type hints aside)."""
    if within(module.name, "airhotline.bus"):
        return
    assert "airhotline.bus.local" not in project_imports(module), module.name
    assert "airhotline.bus.LocalEventBus" not in project_imports(module), module.name
