"""``airhotline feed`` and ``airhotline replay``: real surveillance into a hotline.

``feed`` reads a live feed (a TCP port or a file/FIFO), assembles state reports and
sends them, batched, to a server; ``replay`` sends a recording, times shifted to now,
at a chosen speed, to a server or to an in-process node (``--embedded``). The feeds
package, httpx and the core are imported inside the commands: ``--help`` needs none.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airhotline.cli.common import fail

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from airhotline.feeds import Row
    from airhotline.feeds.client import Batcher, Sender
    from airhotline.feeds.replay import Pacer

__all__ = ["feed", "replay"]

INTERRUPTED = 130
_ONE_PARTY = "feed"

ServerOption = Annotated[
    str | None, typer.Option("--server", help="The hotline's URL (http://host:port).")
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token", help="The party's feed token (without --party-map).", show_default=False
    ),
]
SensorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sensor",
        help="ASTERIX CAT048: a radar's position, [SAC/SIC=]LAT,LON[,HEIGHT_M];"
        " without SAC/SIC, every radar not listed. Repeatable.",
        show_default=False,
    ),
]
MapOption = Annotated[
    Path | None,
    typer.Option("--party-map", help="YAML: parties by addresses and callsigns, their tokens."),
]


def _routing(
    party_map: Path | None, token: str | None, *, need_tokens: bool
) -> tuple[Callable[[list[Row]], Mapping[str, list[Row]]], dict[str, str], Callable[[], int]]:
    """(split rows among parties, each party's token, how many rows were dropped)."""
    from airhotline.feeds.partymap import PartyMapError, PartyRouter, load_party_map

    if party_map is None:
        if need_tokens and not token:
            raise fail("--token: needed without --party-map (the party's feed token)")
        tokens = {_ONE_PARTY: token or ""}

        def one(rows: list[Row]) -> Mapping[str, list[Row]]:
            if need_tokens:
                return {_ONE_PARTY: rows} if rows else {}
            # In process, a recording's own party column names its parties.
            shares: dict[str, list[Row]] = {}
            for row in rows:
                shares.setdefault(row.get("party", "REPLAY"), []).append(row)
            return shares

        return one, tokens, lambda: 0
    if token:
        raise fail("--token: give it or --party-map (whose parties have their own), not both")
    try:
        loaded = load_party_map(party_map)
        tokens = {name: loaded.token(name) for name in loaded.parties} if need_tokens else {}
    except PartyMapError as error:
        raise fail(str(error)) from None
    router = PartyRouter(loaded)
    return router.split, tokens, lambda: router.dropped


def _options(fmt: str, sensors: list[str] | None) -> dict[str, object]:
    """The assembler's options: the radar positions of an ASTERIX feed."""
    if not sensors:
        return {}
    if fmt != "asterix":
        raise fail(f"--sensor: only for the asterix format, not {fmt!r}")
    from airhotline.feeds.asterix import parse_sensor

    table: dict[object, object] = {}
    for text in sensors:
        try:
            key, sensor = parse_sensor(text)
        except ValueError as error:
            raise fail(f"--sensor: {error}") from None
        if key in table:
            raise fail(f"--sensor: {text!r}: that radar's position is given twice")
        table[key] = sensor
    return {"sensors": table}


def _sender(server: str | None, tokens: dict[str, str], *, block: bool, max_queued: int) -> Sender:
    from airhotline.feeds.client import Sender

    if not server:
        raise fail("--server: needed (the hotline's URL), or --embedded for replay")
    if not server.startswith(("http://", "https://")):
        raise fail(f"--server: not an http(s) URL: {server!r}")
    return Sender(server, tokens, block=block, max_queued=max_queued).start()


def _send(
    split: Callable[[list[Row]], Mapping[str, list[Row]]],
    batcher: Batcher,
    sender: Sender,
    rows: list[Row],
) -> None:
    for party, share in split(rows).items():
        sender.put(batcher.add(party, share))
    sender.put(batcher.due())


def _finish(sender: Sender, batcher: Batcher, deadline_s: float | None) -> bool:
    sender.put(batcher.due(everything=True))
    return sender.close(deadline_s=deadline_s)


def feed(
    fmt: Annotated[
        str,
        typer.Argument(metavar="FORMAT", help="sbs, beast, asterix, opensky or trajectory."),
    ],
    connect: Annotated[
        str | None,
        typer.Option("--connect", help="HOST:PORT of the feed (dump1090: 30003 SBS, 30005 Beast)."),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the feed from a file or FIFO.")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    party_map: MapOption = None,
    sensor: SensorOption = None,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1, max=20_000)] = 1_000,
    batch_s: Annotated[float, typer.Option("--batch-s", min=0.0, max=60.0)] = 1.0,
    max_queued: Annotated[
        int, typer.Option("--max-queued", min=1, help="Batches kept while the server is down.")
    ] = 10_000,
) -> None:
    """Send a live feed's state reports to a hotline: batched, idempotent, retried."""
    from airhotline.feeds import adapter
    from airhotline.feeds.client import Batcher
    from airhotline.feeds.status import Status

    try:
        make = adapter(fmt).make
    except ValueError as error:
        raise fail(f"FORMAT: {error}") from None
    if (connect is None) == (file is None):
        raise fail("--connect, --file: give exactly one")
    options = _options(fmt, sensor)
    split, tokens, dropped = _routing(party_map, token, need_tokens=True)
    address = _address(connect) if connect else None
    if file is not None and not file.exists():
        raise fail(f"--file: {file}: no such file")
    try:
        assembler = make(**options)
    except ImportError as error:
        raise fail(f"FORMAT: {fmt}: its decoder cannot be imported: {error}") from None
    sender = _sender(server, tokens, block=file is not None, max_queued=max_queued)
    batcher = Batcher(max_rows=batch_rows, max_age_s=batch_s)
    status = Status(sys.stderr, sys.stderr.isatty())
    try:
        for chunk in _chunks(address, file, whole=fmt == "trajectory"):
            rows = assembler.feed(chunk, time.time_ns() // 1_000) if chunk else []
            status.saw(rows)
            _send(split, batcher, sender, rows)
            status.tick(assembler, sender.stats, sender.queued)
    except KeyboardInterrupt:
        _finish(sender, batcher, deadline_s=5.0)
        status.tick(assembler, sender.stats, sender.queued, force=True)
        typer.echo("", err=True)
        raise typer.Exit(INTERRUPTED) from None
    except OSError as error:
        _finish(sender, batcher, deadline_s=5.0)
        raise fail(f"--file: {file}: {error.strerror or error}") from None
    complete = _finish(sender, batcher, deadline_s=None)
    status.tick(assembler, sender.stats, sender.queued, force=True)
    if status.terminal:
        typer.echo("", err=True)
    if dropped():
        typer.echo(f"feed: {dropped()} reports of aircraft no party claims not sent", err=True)
    if not complete or sender.stats.refused_rows or sender.stats.dropped_rows:
        raise typer.Exit(1)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65_536:
        raise fail(f"--connect: HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def _chunks(address: tuple[str, int] | None, file: Path | None, *, whole: bool) -> Iterator[bytes]:
    """The feed's bytes as they come; an empty chunk now and then while it is quiet
    (so that batches are cut on time). A TCP feed that drops is reconnected."""
    import socket

    if file is not None:
        with file.open("rb") as stream:
            if whole:
                yield stream.read()
                return
            while chunk := stream.read1(1 << 16):
                yield chunk
        return
    assert address is not None
    delay = 0.5
    while True:
        try:
            with socket.create_connection(address, timeout=5.0) as sock:
                sock.settimeout(0.2)
                delay = 0.5
                while True:
                    try:
                        chunk = sock.recv(1 << 16)
                    except TimeoutError:
                        yield b""
                        continue
                    if not chunk:
                        break
                    yield chunk
        except OSError as error:
            typer.echo(
                f"feed: {address[0]}:{address[1]}: {error.strerror or error}; retrying", err=True
            )
        time.sleep(delay)
        delay = min(delay * 2.0, 10.0)
        yield b""


def replay(
    recording: Annotated[
        Path,
        typer.Argument(help="Trajectories (traffic JSON, CSV, Parquet), Beast, SBS or ASTERIX."),
    ],
    speed: Annotated[
        str, typer.Option("--speed", help="Recorded seconds per second, or max.")
    ] = "max",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="trajectory, beast, sbs or asterix (default: from the name)."
        ),
    ] = None,
    party_map: MapOption = None,
    sensor: SensorOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    embedded: Annotated[
        bool,
        typer.Option(
            "--embedded", help="Into an in-process node on a simulated clock; print its alerts."
        ),
    ] = False,
    duration_s: Annotated[
        float | None, typer.Option("--duration-s", min=0.0, help="Replay only the first seconds.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="With --embedded: the journal's URL (default: a temporary file)."
        ),
    ] = None,
) -> None:
    """Replay a recording as if it flew now, to a server or an in-process node."""
    from airhotline.feeds.recording import FORMATS, guess_format, read_recording
    from airhotline.feeds.replay import Pacer, parse_speed

    try:
        chosen_speed = parse_speed(speed)
    except ValueError as error:
        raise fail(f"--speed: {error}") from None
    chosen = fmt or guess_format(recording)
    if chosen not in FORMATS:
        raise fail(f"--format: one of {list(FORMATS)}, got {chosen!r}")
    options = _options(chosen, sensor)
    if embedded and (server or token):
        raise fail("--embedded: replays in process; leave out --server and --token")
    split, tokens, dropped = _routing(party_map, token, need_tokens=not embedded)
    try:
        data = recording.read_bytes()
    except OSError as error:
        raise fail(f"{recording}: cannot read: {error.strerror or error}") from None
    now_us = time.time_ns() // 1_000
    try:
        read = read_recording(data, chosen, now_us, options)
    except ImportError as error:
        raise fail(f"--format: {chosen}: its decoder cannot be imported: {error}") from None
    rows = read.rows
    if duration_s is not None and rows:
        end = rows[0]["time_us"] + round(duration_s * 1_000_000)
        rows = [row for row in rows if row["time_us"] < end]
    if not rows:
        raise fail(f"{recording}: no state report in it ({_rejections(read.assembler)})")
    pacer = Pacer(chosen_speed)
    if embedded:
        _replay_embedded(rows, split, dropped, pacer, now_us, db)
    else:
        _replay_to_server(rows, split, tokens, dropped, chosen_speed, pacer, server)


def _rejections(assembler: object) -> str:
    counts = getattr(assembler, "rejections", {})
    return ", ".join(f"{r} {n}" for r, n in sorted(counts.items())) or "nothing rejected"


def _replay_to_server(
    rows: list[Row],
    split: Callable[[list[Row]], Mapping[str, list[Row]]],
    tokens: dict[str, str],
    dropped: Callable[[], int],
    speed: float | None,
    pacer: Pacer,
    server: str | None,
) -> None:
    from airhotline.feeds.client import Batcher
    from airhotline.feeds.replay import seconds, shifted

    now_us = time.time_ns() // 1_000
    if speed is None:
        # As fast as it goes: the recording ends now, so no report is ahead of the
        # server's clock (it refuses those older than its past tolerance, an hour).
        timed = shifted(rows, now_us - (rows[-1]["time_us"] - rows[0]["time_us"]))
    else:
        # Each report stamped when it is due, so it is current when it arrives: at a
        # speed above 1 the aircraft move that much faster than they say they fly.
        first = rows[0]["time_us"]
        timed = [{**r, "time_us": now_us + round((r["time_us"] - first) / speed)} for r in rows]
    sender = _sender(server, tokens, block=True, max_queued=1_000)
    batcher = Batcher()
    started = time.perf_counter()
    try:
        for end_us, second in seconds(timed):
            pacer.wait(end_us)
            _send(split, batcher, sender, second)
    except KeyboardInterrupt:
        _finish(sender, batcher, deadline_s=5.0)
        raise typer.Exit(INTERRUPTED) from None
    complete = _finish(sender, batcher, deadline_s=None)
    wall = time.perf_counter() - started
    stats = sender.stats
    typer.echo(
        f"replay: {stats.sent_rows:,} reports sent in {stats.sent_batches:,} batches"
        f" in {wall:.1f} s"
        f" ({stats.sent_rows / max(wall, 1e-9):,.0f} reports/s); {stats.retries} retries,"
        f" {stats.replayed_batches} answered from an earlier attempt; {dropped()} unclaimed"
    )
    for reason, count in sorted(stats.refused_rows.items()):
        typer.echo(f"replay: {count:,} reports refused: {reason}", err=True)
    if not complete or stats.refused_rows:
        raise typer.Exit(1)


def _replay_embedded(
    rows: list[Row],
    split: Callable[[list[Row]], Mapping[str, list[Row]]],
    dropped: Callable[[], int],
    pacer: Pacer,
    start_us: int,
    db: str | None,
) -> None:
    import tempfile

    from airhotline.errors import AirhotlineError
    from airhotline.feeds.embedded import replay_embedded
    from airhotline.feeds.replay import seconds, shifted

    url = db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='replay-')) / 'journal.db'}"
    try:
        result = replay_embedded(
            seconds(shifted(rows, start_us)), split, url, start_us=start_us, pacer=pacer
        )
    except AirhotlineError as error:
        raise fail(f"--db: {error}") from None
    tiers = result.by_tier()
    typer.echo(
        f"replayed {result.accepted:,} of {result.reports:,} reports ({dropped():,} unclaimed)"
        f" of parties {', '.join(result.parties)}: {result.simulated_s:,.0f} s simulated,"
        f" {result.cycles:,} cycles in {result.wall_s:.1f} s; journal {url}"
    )
    for reason, count in sorted(result.refused.items()):
        typer.echo(f"refused {count:,}: {reason}")
    typer.echo(
        f"{len(result.alerts)} alerts by highest tier: "
        + ", ".join(f"{tier} {n}" for tier, n in tiers.items())
    )
    if not result.alerts:
        return
    typer.echo(f"{'raised':>9}  {'tier':<8} {'tracks':<54} {'min NM':>7} {'ft':>6} {'dcpa':>6}")
    for alert in result.alerts:
        t = (alert.raised_us - start_us) / 1e6
        h = "-" if alert.min_h_sep_nm is None else f"{alert.min_h_sep_nm:.2f}"
        v = "-" if alert.min_v_sep_ft is None else f"{alert.min_v_sep_ft:.0f}"
        pair = f"{alert.tracks[0]} {alert.tracks[1]}"
        typer.echo(
            f"{t:>8.0f}s  {alert.tier:<8} {pair:<54} {h:>7} {v:>6} {alert.min_dcpa_nm:>6.2f}"
        )
    measured = [a for a in result.alerts if a.min_h_sep_nm is not None]
    if measured:
        closest = min(measured, key=lambda a: a.min_h_sep_nm or 0.0)
        typer.echo(
            f"least separation reached: {closest.min_h_sep_nm:.2f} NM horizontally"
            f" ({closest.min_v_sep_ft:.0f} ft vertically),"
            f" {closest.tracks[0]} / {closest.tracks[1]}"
        )
