"""Debriefs: one shared, verifiable account of a time window — who saw what, when, and
how close the aircraft came — read from the journal (`collect`), figured (`stats`),
drawn (`plots`) and written as self-contained HTML or JSON (`report`)."""

from __future__ import annotations

from typing import Any

from airhotline.debrief.collect import DebriefData, collect

__all__ = ["DebriefData", "debrief_of_store"]


def debrief_of_store(
    store: Any,
    *,
    start_us: int,
    end_us: int,
    party: str | None,
    lang: str | None,
    all_tracks: bool = False,
    exposure_limit: int = 100,
    exposure_window_s: float = 3_600.0,
    url: str | None = None,
    workers: int | None = None,
    timings: dict[str, float] | None = None,
) -> DebriefData:
    """The debrief of ``store``'s journal for ``party`` (None: the admin), in ``lang``
    (default: the party's own language, English for the admin). `InputError` for a
    party the journal does not know. The exposure budget is the deployment's
    (`HotlineConfig.exposure_limit` and `exposure_window_s`). With the store's ``url``
    a long window's reports are read by ``workers`` processes (`collect`)."""
    from airhotline.errors import InputError

    parties = {p.id: p for p in store.parties()}
    reader = None
    if party is not None:
        reader = next((p for p in parties.values() if p.name == party), None)
        if reader is None:
            raise InputError("party", f"no party named {party!r} in this journal")
    chosen = lang or (reader.lang if reader is not None else "en")
    return collect(
        store,
        store.verify,
        start_us=start_us,
        end_us=end_us,
        party_id=None if reader is None else reader.id,
        party_name=party,
        lang=chosen,
        parties={pid: p.name for pid, p in parties.items()},
        all_tracks=all_tracks,
        exposure_limit=exposure_limit,
        exposure_window_s=exposure_window_s,
        url=url,
        workers=workers,
        timings=timings,
    )
