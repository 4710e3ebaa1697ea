"""``airhotline drill``: run a joint drill's scenario on a simulated clock.

The core and Rich are imported inside the command: ``--help`` needs none of them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airhotline.cli.common import fail, report_table

if TYPE_CHECKING:
    from airhotline.drill.runner import DrillResult

__all__ = ["drill_app"]

drill_app = typer.Typer(help="Joint drills: scripted encounters on a simulated clock.")


def _speed(text: str) -> float | None:
    from airhotline.feeds.replay import parse_speed  # one reading of --speed, as replay's

    try:
        return parse_speed(text, "simulated")
    except ValueError as error:
        raise fail(f"--speed: {error}") from None


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
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Serve the drill in real time: real centres connect with the printed tokens;"
            " their own acknowledgements and messages count.",
        ),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="With --live: interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="With --live: port.")] = 8080,
    scripted: Annotated[
        list[str] | None,
        typer.Option("--scripted", help="With --live: a party still played by the script."),
    ] = None,
) -> None:
    """Run a scenario through the hotline's own core; print its checks, pass or fail
    (exit code 1 when any fails), and write its journal and debrief."""
    import tempfile

    from rich.console import Console

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
    names = [str(p["name"]) for p in loaded.spec["parties"]]
    for name in scripted or ():
        if name not in names:
            raise fail(f"--scripted: no party named {name!r} in {loaded.name}")
    if scripted and not live:
        raise fail("--scripted: goes with --live")
    if live and speed != "max":
        raise fail("--speed: a live drill runs in real time (leave --speed out)")
    if live and not 1 <= port <= 65_535:
        raise fail("--port: must be 1 to 65535")
    try:
        if live:
            real = frozenset(names) - set(scripted or ())
            result = _run_live(loaded, journal, host, port, real)
        else:
            result = run_drill(loaded, f"sqlite:///{journal}", speed=chosen_speed)
    except AirhotlineError as error:
        raise fail(f"{loaded.source}: the drill stopped: {error}") from None
    table = report_table(f"drill {loaded.name} — {loaded.title}")
    # The check's name whole (it is the Markdown's heading), the rest wraps.
    table.add_column("", no_wrap=True)
    widest = max(len(o.check) for o in result.outcomes)
    table.add_column("check", no_wrap=True, min_width=widest)
    table.add_column("expected")
    table.add_column("observed")
    for outcome in result.outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        style = "green" if outcome.passed else "bold red"
        table.add_row(mark, outcome.check, outcome.expected, outcome.observed, style=style)
    console = Console()
    console.print(table)
    failed = sum(not o.passed for o in result.outcomes)
    report = _debrief(loaded, journal, folder, result.start_us)
    console.print(
        f"{len(result.outcomes) - failed} passed, {failed} failed; "
        f"{loaded.duration_s} s simulated in {result.wall_s:.1f} s; "
        f"journal {journal} (head {result.head_seq}, {result.head_hash[:16]}); "
        f"debrief {report}"
    )
    if failed:
        raise typer.Exit(1)


def _debrief(loaded: object, journal: Path, folder: Path, start_us: int) -> Path:
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
            start_us=start_us,
            end_us=start_us + (loaded.duration_s + 1) * 1_000_000,
            party=None,
            lang=None,
            all_tracks=True,  # a drill's few aircraft: every one on the plan view
        )
    finally:
        store.close()
    path = folder / "debrief.html"
    write(data, str(path), title=f"Drill {loaded.name}: {loaded.title}", fmt="html")
    return path


def _run_live(
    loaded: object, journal: Path, host: str, port: int, real: frozenset[str]
) -> DrillResult:
    """The drill in real time, its node served over HTTP while it runs: the real
    parties' operators sign in with the tokens printed here."""
    import threading

    from airhotline.cli.logs import log_config, resolve_format
    from airhotline.cli.serve import listen
    from airhotline.clock import SystemClock
    from airhotline.core.access import Role
    from airhotline.drill.runner import DrillSession
    from airhotline.drill.scenario import Scenario
    from airhotline.service import create_app
    from airhotline.service.server import build_server

    assert isinstance(loaded, Scenario)
    listener = listen(host, port)
    session = DrillSession(
        loaded, f"sqlite:///{journal}", clock=SystemClock(), speed=1.0, real=real
    )
    try:
        made = session.open()
    except BaseException:
        listener.close()
        raise
    bound = listener.getsockname()[1]
    typer.echo(f"drill {loaded.name} live at http://{host}:{bound} for {loaded.duration_s} s")
    for name in sorted(real):
        typer.echo(f"  {name} operator token: {made[name].tokens[Role.OPERATOR][1]}")
    results: list[DrillResult] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    class Flight:
        """The drill's seconds, beside the service; the server stops when it ends."""

        def __init__(self) -> None:
            self.thread = threading.Thread(target=self._run, name="drill", daemon=True)

        def start(self) -> None:
            self.thread.start()

        def stop(self) -> None:
            stop.set()
            self.thread.join()

        def _run(self) -> None:
            try:
                # The node stays open for the server; closed once the server has stopped.
                results.append(session.run(stop, close=False))
            except Exception as error:  # reported as one line once the server stops
                failures.append(error)
            finally:
                server.should_exit = True

    app = create_app(session.node, run_cycle=False, close_node=False, companions=[Flight()])
    server = build_server(
        app, host=host, port=bound, log_config=log_config("warning", resolve_format("auto"))
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[listener])
    finally:
        listener.close()
        session.node.close()
    if failures:
        raise fail(f"{loaded.source}: the drill stopped: {failures[0]}")
    if not results:
        raise fail("the drill was stopped before it could be judged")
    return results[0]
