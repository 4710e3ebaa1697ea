"""``airhotline drill``: run a joint drill's scenario on a simulated clock.

The core and Rich are imported inside the command: ``--help`` needs none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from airhotline.cli.common import fail

__all__ = ["drill_app"]

drill_app = typer.Typer(help="Joint drills: scripted encounters on a simulated clock.")


def _speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        speed = float(text)
    except ValueError:
        raise fail(f"--speed: a number of simulated seconds per second, or max: {text!r}") from None
    if not 0.0 < speed <= 10_000.0:
        raise fail("--speed: must be above 0 and at most 10000 (or max)")
    return speed


@drill_app.command("run")
def run(
    scenario: Annotated[Path, typer.Argument(help="The scenario (YAML), or a shipped one's name.")],
    speed: Annotated[
        str, typer.Option("--speed", help="Simulated seconds per second, or max (never sleeps).")
    ] = "max",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for the drill's journal (default: a new temporary one)."
        ),
    ] = None,
) -> None:
    """Run a scenario through the hotline's own core; print its checks, pass or fail
    (exit code 1 when any fails)."""
    import tempfile

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from airhotline.drill.runner import run_drill
    from airhotline.drill.scenario import SCENARIOS, ScenarioError, load_scenario
    from airhotline.errors import AirhotlineError

    chosen_speed = _speed(speed)
    path = scenario
    if not path.exists() and (SCENARIOS / f"{scenario}.yaml").exists():
        path = SCENARIOS / f"{scenario}.yaml"
    try:
        loaded = load_scenario(path)
    except ScenarioError as error:
        raise fail(str(error)) from None
    folder = out if out is not None else Path(tempfile.mkdtemp(prefix=f"drill-{loaded.name}-"))
    folder.mkdir(parents=True, exist_ok=True)
    journal = folder / "journal.db"
    if journal.exists():
        raise fail(f"--out: {journal} exists: a drill writes a fresh journal")
    try:
        result = run_drill(loaded, f"sqlite:///{journal}", speed=chosen_speed)
    except AirhotlineError as error:
        raise fail(f"{loaded.source}: the drill stopped: {error}") from None
    table = Table(
        title=f"drill {loaded.name} — {loaded.title}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for header in ("", "check", "expected", "observed"):
        table.add_column(header)
    for outcome in result.outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        style = "green" if outcome.passed else "bold red"
        table.add_row(mark, outcome.check, outcome.expected, outcome.observed, style=style)
    console = Console()
    console.print(table)
    failed = sum(not o.passed for o in result.outcomes)
    report = _debrief(loaded, journal, folder)
    console.print(
        f"{len(result.outcomes) - failed} passed, {failed} failed; "
        f"{loaded.duration_s} s simulated in {result.wall_s:.1f} s; "
        f"journal {journal} (head {result.head_seq}, {result.head_hash[:16]}); "
        f"debrief {report}"
    )
    if failed:
        raise typer.Exit(1)


def _debrief(loaded: object, journal: Path, folder: Path) -> Path:
    """The drill's debrief, for the admin, beside its journal."""
    from airhotline.debrief import debrief_of_store
    from airhotline.debrief.report import write
    from airhotline.drill.scenario import Scenario
    from airhotline.store import Store

    assert isinstance(loaded, Scenario)
    store = Store.open(f"sqlite:///{journal}", create=False)
    try:
        data = debrief_of_store(
            store,
            start_us=loaded.start_us,
            end_us=loaded.start_us + (loaded.duration_s + 1) * 1_000_000,
            party=None,
            lang=None,
        )
    finally:
        store.close()
    path = folder / "debrief.html"
    write(data, str(path), title=f"Drill {loaded.name}: {loaded.title}", fmt="html")
    return path
