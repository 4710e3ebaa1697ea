"""Start-up: a command imports only what it uses, so that it starts fast (DESIGN.md, cli/).

Each case runs the command in a fresh interpreter and reads which top-level packages
ended up in ``sys.modules``; timings belong in ``benchmarks/cli.py``, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airhotline.cli import app

DEMO = Path(__file__).resolve().parents[2] / "src/airhotline/data/demo_snapshot.csv"
#: What the service, the database and the file formats bring: each costs 0.1–0.5 s.
#: (Pydantic is not among them: Typer itself uses it to convert arguments.)
SERVICE = {"fastapi", "starlette", "uvicorn", "httpx"}
DATABASE = {"sqlalchemy", "alembic"}
FILES = {"pyarrow"}
ARRAYS = {"numpy", "pyproj"}

PROBE = """
import json, sys
from airhotline.cli import app
try:
    app(sys.argv[2:], prog_name="airhotline")
except SystemExit:
    pass
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(sorted(sys.modules), out)
"""


def loaded_packages(tmp_path: Path, *args: str) -> set[str]:
    modules = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(modules), *args],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
    )
    return {name.partition(".")[0] for name in json.loads(modules.read_text(encoding="utf-8"))}


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    # Without this, an empty module list would make every other case pass.
    assert {"typer", "airhotline"} <= loaded_packages(tmp_path, "--help")
    assert {"numpy", "pyarrow"} <= loaded_packages(tmp_path, "detect", str(DEMO))


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    code = "import json, sys, airhotline.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    packages = {name.partition(".")[0] for name in json.loads(out)}
    assert packages & (SERVICE | DATABASE | FILES | ARRAYS) == set()


@pytest.mark.parametrize(
    ("args", "unwanted"),
    [
        pytest.param(("--help",), SERVICE | DATABASE | FILES | ARRAYS, id="help"),
        pytest.param(("serve", "--help"), SERVICE | DATABASE | FILES | ARRAYS, id="serve-help"),
        pytest.param(("detect", str(DEMO)), SERVICE | DATABASE, id="detect"),
        pytest.param(("party", "list", "--db", "sqlite:///p.db"), SERVICE | FILES, id="party"),
        pytest.param(("alerts", "--db", "sqlite:///a.db"), SERVICE | FILES, id="alerts"),
        pytest.param(("journal", "head", "--db", "sqlite:///j.db"), SERVICE | FILES, id="journal"),
    ],
)
def test_a_command_imports_only_what_it_uses(
    tmp_path: Path, args: tuple[str, ...], unwanted: set[str]
) -> None:
    assert loaded_packages(tmp_path, *args) & unwanted == set()


def test_the_help_still_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("detect", "serve", "admin-token", "alerts", "party", "agreement", "journal"):
        assert command in result.stdout
    assert "hash-chained journal" in result.stdout
    result = CliRunner().invoke(app, ["journal", "--help"])
    assert result.exit_code == 0
    assert "verify" in result.stdout
    assert "head" in result.stdout
