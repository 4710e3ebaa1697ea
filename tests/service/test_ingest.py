"""``POST /v1/tracks``: a batch is committed whole or refused whole, retries never repeat."""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpx2 import Response
from tests.service.conftest import START_S, Hotline, assert_problem, open_hotline, report

from airhotline.clock import iso_from_us
from airhotline.core.node import HotlineConfig


def batch_records(hotline: Hotline) -> list[dict[str, Any]]:
    return [dict(r.payload) for r in hotline.records() if r.kind == "tracks.reported"]


def test_a_track_of_360_is_north(hotline: Hotline) -> None:
    response = hotline.post_reports("ATLAS", [report("A1", track_deg=360.0)])
    assert response.status_code == 200, response.text
    (track,) = hotline.picture("ATLAS")["tracks"]
    assert track["track_deg"] == 0.0


def test_a_json_array_is_committed(hotline_db: Hotline) -> None:
    hotline = hotline_db
    head = hotline.head()
    response = hotline.post_reports(
        "ATLAS", [report("A1", callsign="ATL1", icao24="3c6444"), report("A2", lat=-33.5)]
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] == 2
    # The receipt names the record by time and hash: a seq would tell ATLAS how much
    # the other parties wrote in between.
    assert hotline.head() == head + 1
    (record,) = hotline.node.store.records_after(head)
    assert answer == {
        "accepted": 2,
        "committed": iso_from_us(record.time_us, exact=True),
        "hash": record.hash,
    }
    assert "idempotent-replayed" not in response.headers
    (payload,) = batch_records(hotline)
    assert payload["track_id"] == ["A1", "A2"]
    assert payload["time_us"] == [START_S * 1_000_000] * 2
    assert payload["callsign"] == ["ATL1", None]
    tracks = {t["track_id"]: t for t in hotline.picture("ATLAS")["tracks"]}
    assert set(tracks) == {"A1", "A2"}
    assert tracks["A2"]["lat"] == -33.5
    assert tracks["A1"]["callsign"] == "ATL1"


@pytest.mark.parametrize("media", ["application/x-ndjson", "application/ndjson"])
def test_ndjson_is_committed(hotline_db: Hotline, media: str) -> None:
    hotline = hotline_db
    lines = [json.dumps(report(f"A{i}", lat=10.0 + i)) for i in range(3)]
    body = "\n" + "\r\n".join(lines[:2]) + "\n\n" + lines[2] + "\n"  # blank lines ignored
    response = hotline.client.post(
        "/v1/tracks",
        content=body,
        headers={**hotline.feed("ATLAS"), "Content-Type": f"{media}; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 3
    assert batch_records(hotline)[0]["lat"] == [10.0, 11.0, 12.0]
    assert {t["track_id"] for t in hotline.picture("ATLAS")["tracks"]} == {"A0", "A1", "A2"}


def test_iso_times_and_epoch_seconds_are_the_same_time(hotline: Hotline) -> None:
    response = hotline.post_reports(
        "ATLAS",
        [
            report("A1", at_s=START_S),
            report("A2", at_s="2023-11-14T22:13:20Z"),
            report("A3", at_s="2023-11-14T22:13:20.000+00:00"),
            report("A4", at_s="2023-11-15T00:13:20+02:00"),
            report("A5", at_s=float(START_S)),
        ],
    )
    assert response.status_code == 200, response.text
    assert set(batch_records(hotline)[0]["time_us"]) == {START_S * 1_000_000}


# Each case spoils the third report of a batch of three, in one way.
def _drop(field: str) -> Any:
    def spoil(body: dict[str, Any]) -> None:
        del body[field]

    return spoil


BAD_REPORTS: dict[str, tuple[Any, str]] = {
    "lat 91": ({"lat": 91.0}, "[2].lat"),
    "lat -90.5": ({"lat": -90.5}, "[2].lat"),
    "lon 180.1": ({"lon": 180.1}, "[2].lon"),
    "negative gs_kt": ({"gs_kt": -1.0}, "[2].gs_kt"),
    "track_deg 360.5": ({"track_deg": 360.5}, "[2].track_deg"),
    "track_deg -0.1": ({"track_deg": -0.1}, "[2].track_deg"),
    "alt_ft 150000": ({"alt_ft": 150_000.0}, "[2].alt_ft"),
    "lat as text": ({"lat": "north"}, "[2].lat"),
    "missing lon": (_drop("lon"), "[2].lon"),
    "missing time": (_drop("time"), "[2].time"),
    "missing track_id": (_drop("track_id"), "[2].track_id"),
    "unknown field": ({"squawk": "7700"}, "[2].squawk"),
    "blank track_id": ({"track_id": " "}, "[2].track_id"),
    "31 s in the future": ({"time": START_S + 31}, "[2].time"),
    "an ISO time in the future": ({"time": "2023-11-14T22:14:00Z"}, "[2].time"),
    "time before 1970": ({"time": -1}, "[2].time"),
    "time in milliseconds": ({"time": START_S * 1000}, "[2].time"),
    "time beyond a float": ({"time": 10**400}, "[2].time"),
    "bad icao24": ({"icao24": "XYZ"}, "[2].icao24"),
    "another party": ({"party": "BOREAS"}, "[2].party"),
    # Numbers are JSON numbers: no booleans, no numeric strings.
    "lat as true": ({"lat": True}, "[2].lat"),
    "lat as a numeric string": ({"lat": "45"}, "[2].lat"),
    "alt_ft as a padded string": ({"alt_ft": " 30000 "}, "[2].alt_ft"),
    "gs_kt with an underscore": ({"gs_kt": "1_0"}, "[2].gs_kt"),
    "vrate_fpm as false": ({"vrate_fpm": False}, "[2].vrate_fpm"),
    # A time is a JSON number of UTC seconds or an ISO 8601 date-time with its zone.
    "time as true": ({"time": True}, "[2].time"),
    "time as a numeric string": ({"time": str(START_S)}, "[2].time"),
    "time as a short numeric string": ({"time": "45"}, "[2].time"),
    "time as a bare date": ({"time": "2023-11-14"}, "[2].time"),
    "an ISO time without zone": ({"time": "2023-11-14T22:13:20"}, "[2].time"),
    "an ISO time without seconds": ({"time": "2023-11-14T22:13Z"}, "[2].time"),
    "an ISO time with non-ASCII digits": ({"time": "٢٠٢٣-11-14T22:13:20Z"}, "[2].time"),
    "an ISO time padded": ({"time": " 2023-11-14T22:13:20Z"}, "[2].time"),
    "time as an object": ({"time": {"s": START_S}}, "[2].time"),
    # A bounded past: an hour by default.
    "time in 1970": ({"time": 45}, "[2].time"),
    "time 3601 s old": ({"time": START_S - 3601}, "[2].time"),
    "an ISO time 2 h old": ({"time": "2023-11-14T20:13:20Z"}, "[2].time"),
    # Identifiers hold no control or format character and no padding.
    "track_id with a trailing newline": ({"track_id": "A3\n"}, "[2].track_id"),
    "track_id with NUL": ({"track_id": "A\x003"}, "[2].track_id"),
    "track_id with a bidi override": ({"track_id": "A\u202e3"}, "[2].track_id"),
    "track_id with a zero-width joiner": ({"track_id": "A\u200d3"}, "[2].track_id"),
    "track_id with a private-use character": ({"track_id": "A\ue0003"}, "[2].track_id"),
    "track_id with an unassigned code point": ({"track_id": "A\u03783"}, "[2].track_id"),
    "track_id with a line separator": ({"track_id": "A\u20283"}, "[2].track_id"),
    "track_id with a leading space": ({"track_id": " A3"}, "[2].track_id"),
    "callsign with a bidi isolate": ({"callsign": "\u2066ATL3\u2069"}, "[2].callsign"),
    "callsign with a trailing space": ({"callsign": "ATL3 "}, "[2].callsign"),
    "callsign with a tab": ({"callsign": "ATL\t3"}, "[2].callsign"),
    "aircraft_type with DEL": ({"aircraft_type": "A32\x7f"}, "[2].aircraft_type"),
    "icao24 with a trailing newline": ({"icao24": "3c6444\n"}, "[2].icao24"),
    "party with a trailing newline": ({"party": "ATLAS\n"}, "[2].party"),
}


def _spoiled(case: str) -> list[dict[str, Any]]:
    spoil, _ = BAD_REPORTS[case]
    reports = [report("A1"), report("A2"), report("A3")]
    if callable(spoil):
        spoil(reports[2])
    else:
        reports[2].update(spoil)
    return reports


@pytest.fixture
def reporting(hotline_db: Hotline) -> Hotline:
    """ATLAS already has one track in the picture."""
    assert hotline_db.post_reports("ATLAS", [report("A0")]).status_code == 200
    return hotline_db


class Unchanged:
    """Asserts that nothing reached the journal or the picture since it was made."""

    def __init__(self, hotline: Hotline) -> None:
        self.hotline = hotline
        self.head = hotline.head()
        self.batches = batch_records(hotline)
        self.picture = hotline.picture("ATLAS")["tracks"]

    def check(self, case: str) -> None:
        assert self.hotline.head() == self.head, case
        assert batch_records(self.hotline) == self.batches, case
        assert self.hotline.picture("ATLAS")["tracks"] == self.picture, case


def post_raw(hotline: Hotline, body: str, media: str = "application/json") -> Response:
    headers = {**hotline.feed("ATLAS"), "Content-Type": media}
    return hotline.client.post("/v1/tracks", content=body, headers=headers)


def test_one_bad_report_refuses_the_batch(reporting: Hotline) -> None:
    hotline = reporting
    unchanged = Unchanged(hotline)
    for case, (_, field) in BAD_REPORTS.items():
        response = hotline.post_reports("ATLAS", _spoiled(case))
        problem = assert_problem(response, 422)
        assert problem["field"] == field, (case, problem)
        assert problem["detail"].startswith(field), (case, problem)
        unchanged.check(case)


NON_FINITE = [("lat", "NaN"), ("alt_ft", "Infinity"), ("gs_kt", "-Infinity")]
NON_FINITE += [("vrate_fpm", "NaN"), ("time", "NaN"), ("time", "Infinity")]


@pytest.mark.parametrize("media", ["application/json", "application/x-ndjson"])
def test_non_finite_numbers_refuse_the_batch(reporting: Hotline, media: str) -> None:
    hotline = reporting
    unchanged = Unchanged(hotline)
    for field, value in NON_FINITE:
        texts = [json.dumps(report(f"A{i}")) for i in (1, 2, 3)]
        texts[2] = texts[2].replace(f'"{field}": {report()[field]}', f'"{field}": {value}')
        assert value in texts[2]  # raw JSON text: json.dumps would not write it
        body = "[" + ",".join(texts) + "]" if media == "application/json" else "\n".join(texts)
        problem = assert_problem(post_raw(hotline, body, media), 422)
        assert problem["field"] == f"[2].{field}", problem
        unchanged.check(f"{field} {value}")


NOT_A_BATCH = [
    ("", "body"),
    ("[]", "body"),
    ("{}", "body"),
    ("null", "body"),
    ("[1, 2]", "[0]"),
    ("[{}", "body"),
    ('{"track_id": "A1"}', "body"),
]


def test_bodies_that_are_no_batch(reporting: Hotline) -> None:
    hotline = reporting
    unchanged = Unchanged(hotline)
    for body, field in NOT_A_BATCH:
        assert assert_problem(post_raw(hotline, body), 422)["field"] == field, body
        unchanged.check(body)


def test_other_media_types_are_refused(reporting: Hotline) -> None:
    hotline = reporting
    unchanged = Unchanged(hotline)
    body = json.dumps([report("A1")])
    for media in ["text/plain", "application/xml", "multipart/form-data", "application/jsonl"]:
        assert assert_problem(post_raw(hotline, body, media), 415)["field"] == "content-type"
        unchanged.check(media)


def test_a_retry_with_the_same_key_is_answered_once(hotline_db: Hotline) -> None:
    hotline = hotline_db
    reports = [report("A1"), report("A2")]
    key = {"Idempotency-Key": "batch-0001"}
    first = hotline.post_reports("ATLAS", reports, headers=key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    head = hotline.head()

    for _ in range(2):
        again = hotline.post_reports("ATLAS", reports, headers=key)
        assert again.status_code == 200, again.text
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"
    assert hotline.head() == head
    assert len(batch_records(hotline)) == 1

    other = hotline.post_reports("ATLAS", [report("A1", lat=1.0)], headers=key)
    problem = assert_problem(other, 409)
    assert problem["field"] == "Idempotency-Key"
    assert hotline.head() == head
    assert hotline.picture("ATLAS")["tracks"][0]["lat"] == 48.0

    # Keys belong to a party: another party's batch under the same key is its own.
    response = hotline.post_reports("BOREAS", reports, headers=key)
    assert response.status_code == 200, response.text
    assert "idempotent-replayed" not in response.headers
    assert hotline.head() == head + 1


def test_a_refused_batch_does_not_use_up_its_key(hotline: Hotline) -> None:
    key = {"Idempotency-Key": "k"}
    bad = hotline.post_reports("ATLAS", [report("A1", lat=91.0)], headers=key)
    assert_problem(bad, 422)
    good = hotline.post_reports("ATLAS", [report("A1")], headers=key)
    assert good.status_code == 200, good.text
    assert "idempotent-replayed" not in good.headers


def test_an_older_report_is_journaled_but_does_not_move_the_track(hotline_db: Hotline) -> None:
    hotline = hotline_db
    newer = report("A1", at_s=START_S, lat=50.0, gs_kt=0.0)
    older = report("A1", at_s=START_S - 10, lat=40.0, gs_kt=0.0)
    assert hotline.post_reports("ATLAS", [newer]).status_code == 200
    head = hotline.head()

    response = hotline.post_reports("ATLAS", [older])
    assert response.status_code == 200, response.text
    assert hotline.head() == head + 1
    assert [b["lat"] for b in batch_records(hotline)] == [[50.0], [40.0]]
    (track,) = hotline.picture("ATLAS")["tracks"]
    assert track["lat"] == 50.0
    assert track["last_report"] == "2023-11-14T22:13:20.000Z"

    # Within one batch too: the newest report of a track wins, whatever its place.
    both = [report("A2", at_s=START_S, lat=20.0, gs_kt=0.0)]
    both.append(report("A2", at_s=START_S - 5, lat=21.0, gs_kt=0.0))
    assert hotline.post_reports("ATLAS", both).status_code == 200
    tracks = {t["track_id"]: t for t in hotline.picture("ATLAS")["tracks"]}
    assert tracks["A2"]["lat"] == 20.0


def test_a_feed_reports_for_its_own_party(hotline: Hotline) -> None:
    response = hotline.post_reports("BOREAS", [report("X1", party="BOREAS")])
    assert response.status_code == 200, response.text
    assert hotline.track_keys("BOREAS") == {("BOREAS", "X1")}
    assert hotline.track_keys("ATLAS") == set()


def test_the_first_report_out_of_bounds_is_named(reporting: Hotline) -> None:
    hotline = reporting
    reports = [report("A1"), report("A2", at_s=START_S + 60), report("A3", at_s=START_S - 7200)]
    assert assert_problem(hotline.post_reports("ATLAS", reports), 422)["field"] == "[1].time"
    reports[1], reports[2] = reports[2], reports[1]
    problem = assert_problem(hotline.post_reports("ATLAS", reports), 422)
    assert problem["field"] == "[1].time"
    assert problem["detail"] == "[1].time: more than 3600 s behind the hotline's clock"


def test_the_past_bound_is_the_nodes_setting(sqlite_url: str) -> None:
    config = HotlineConfig(past_tolerance_s=60.0)
    with open_hotline(sqlite_url, node_options={"config": config}) as hotline:
        just = hotline.post_reports("ATLAS", [report("A1", at_s=START_S - 60)])
        assert just.status_code == 200, just.text
        late = hotline.post_reports("ATLAS", [report("A1", at_s=START_S - 61)])
        assert assert_problem(late, 422)["detail"] == (
            "[0].time: more than 60 s behind the hotline's clock"
        )


def test_a_retry_after_the_past_bound_still_gets_its_first_answer(hotline: Hotline) -> None:
    """The key is remembered for a day: a retry long after is a retry, not a stale batch."""
    key = {"Idempotency-Key": "late-retry"}
    first = hotline.post_reports("ATLAS", [report("A1")], headers=key)
    assert first.status_code == 200, first.text
    hotline.clock.advance(2 * 3600.0)
    again = hotline.post_reports("ATLAS", [report("A1")], headers=key)
    assert again.status_code == 200, again.text
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    stale = hotline.post_reports("ATLAS", [report("A1")], headers={"Idempotency-Key": "new"})
    assert assert_problem(stale, 422)["field"] == "[0].time"
