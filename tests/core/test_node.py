"""The node's track life cycle: lost events to whoever saw the track, restart rebuild."""

from __future__ import annotations

from pathlib import Path

from airhotline.bootstrap import build_node
from airhotline.clock import SimulatedClock
from airhotline.core.access import AgreementMode, AgreementStatus
from airhotline.core.node import HotlineNode
from airhotline.core.reports import ReportBatch

T0 = 1_700_000_000_000_000


def open_node(url: str, clock: SimulatedClock) -> HotlineNode:
    return build_node(url, clock=clock)


def report(node: HotlineNode, party: int, track_id: str, lon: float) -> None:
    row = {
        "track_id": track_id,
        "time_us": node.clock.now_us(),
        "lat": 10.0,
        "lon": lon,
        "alt_ft": 20_000.0,
        "gs_kt": 300.0,
        "track_deg": 45.0,
        "vrate_fpm": 0.0,
    }
    node.submit_reports(
        party, ReportBatch.from_rows([row]), idempotency_key=None, body_sha256="-"
    ).result()


def test_a_silent_track_is_lost_and_told_to_those_who_could_see_it(tmp_path: Path) -> None:
    clock = SimulatedClock(T0)
    node = open_node(f"sqlite:///{tmp_path / 'n.db'}", clock)
    try:
        atlas = node.add_party("ATLAS", "en").party.id
        boreas = node.add_party("BOREAS", "ru").party.id
        cedar = node.add_party("CEDAR", "ar").party.id
        node.set_agreement("ATLAS", "BOREAS", AgreementMode.FULL, AgreementStatus.ACTIVE)
        report(node, atlas, "A1", 0.0)
        clock.advance(11.0)
        report(node, atlas, "A2", 1.0)
        report_view = node.run_cycle()
        assert (report_view.tracks, report_view.coasting, report_view.lost) == (2, 1, 0)
        clock.advance(50.0)
        assert node.run_cycle().lost == 1  # A1 silent for 61 s
        (lost,) = node.store.records_after(0, kinds=["track.lost"])
        assert lost.payload == {
            "party": "ATLAS",
            "tracks": [{"track_id": "A1", "last_report_us": T0}],
            "v": 2,
        }
        # The owner and its full-picture partner hear of it; a conflicts-only party never
        # saw the track, so it hears nothing.
        assert lost.audience == frozenset({atlas, boreas})
        assert cedar not in lost.audience
    finally:
        node.close()


def test_the_picture_is_rebuilt_from_the_journal_on_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    clock = SimulatedClock(T0)
    node = open_node(url, clock)
    atlas = node.add_party("ATLAS", "en").party.id
    report(node, atlas, "OLD", 0.0)
    clock.advance(70.0)
    report(node, atlas, "NEW", 2.0)
    clock.advance(1.0)
    node.close()

    restarted = open_node(url, clock)
    try:
        view = restarted.picture.view(clock.now_us())
        # Only what is still live comes back: OLD was silent for 71 s.
        assert view.track_id == ("NEW",)
        assert view.reported.lon_deg.tolist() == [2.0]
        assert restarted.reports_accepted == 0  # nothing new was accepted by this process
    finally:
        restarted.close()


def test_another_process_writing_the_journal_reaches_a_running_node(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    clock = SimulatedClock(T0)
    running = open_node(url, clock)
    try:
        running.add_party("ATLAS", "en")
        other = open_node(url, clock)  # e.g. the command line on the same database
        try:
            boreas = other.add_party("BOREAS", "ru").party.id
            report(other, boreas, "B1", 3.0)
        finally:
            other.close()
        assert running.catch_up() == 2  # party.created and the report
        assert running.party_by_name("BOREAS").id == boreas
        assert running.picture.view(clock.now_us()).track_id == ("B1",)
    finally:
        running.close()


def test_idempotency_keys_are_forgotten_after_the_retention(tmp_path: Path) -> None:
    clock = SimulatedClock(T0)
    node = open_node(f"sqlite:///{tmp_path / 'n.db'}", clock)
    try:
        atlas = node.add_party("ATLAS", "en").party.id
        row = {
            "track_id": "A1",
            "time_us": T0,
            "lat": 0.0,
            "lon": 0.0,
            "alt_ft": 1000.0,
            "gs_kt": 100.0,
            "track_deg": 0.0,
            "vrate_fpm": 0.0,
        }
        first = node.submit_reports(
            atlas, ReportBatch.from_rows([row]), idempotency_key="k", body_sha256="body"
        ).result()
        node.run_cycle()
        assert node.store.idempotent_answer(atlas, "k") is not None  # kept within a day
        clock.advance(node.config.idempotency_retention_s + 3_600.0)
        node.run_cycle()
        assert node.store.idempotent_answer(atlas, "k") is None
        assert not first.replayed
    finally:
        node.close()
