"""A deployment's settings, from a TOML file: the picture cycle and the alert policy.

::

    [hotline]
    cycle_s = 1.0
    coast_after_s = 10
    lost_after_s = 60

    [alerts]                 # every AlertPolicy field; the rest keep their defaults
    caution_s = 150
    escalate_warning_s = 20

    [[alerts.agreement]]     # a pair of parties with a policy of its own
    parties = ["ATLAS", "BOREAS"]
    advisory_s = 420

    [messages]
    escalate_s = 60          # an open message unanswered this long escalates
    line_check_every_s = 900

An unknown key or a bad value is an `InputError` naming it (``alerts.caution_s``).

Every number must be finite and within the bounds below (inclusive), wide enough for
any real deployment and narrow enough that no value can stall the node: a cycle of
1 ns busy-loops, one of NaN or infinity never runs again, a limit of 1e300 seconds
overflows the microsecond clock.

=============================  ==================  ===================================
setting                        bounds              why
=============================  ==================  ===================================
``cycle_s``                    0.05 – 60 s         faster only burns CPU; slower is blind
``coast_after_s``              0.05 s – 1 day      a track silent a day is gone
``lost_after_s``               0.05 s – 1 day      (and ``coast_after_s <= lost_after_s``)
``future_tolerance_s``         0 – 1 h             clock skew between feeds, not days
``past_tolerance_s``           60 s – 1 day        reports older than this are refused
``idempotency_retention_s``    1 s – 7 days        retries come within minutes
``exposure_limit``             1 – 100 000         foreign tracks shown per party and window
``exposure_window_s``          60 s – 1 day
``flood_limit``                1 – 10 000          encounters followed per pair of parties
``flood_every_s``              1 s – 1 h           how often an ongoing flood is said
``streams_per_party``          1 – 1 000           event streams open at once, per party
``[quotas] max_live_tracks``   1 – 1 000 000       per party
``[quotas] reports_per_s``     1 – 1 000 000       per party, in bursts of ``burst_s``
``[quotas] burst_s``           1 – 60 s
``advisory_s`` … ``warning_s``  1 s – 1 h           the look-ahead: detection work grows
``confirm_hits``, ``_window``  1 – 100 cycles
``clear_cycles``               1 – 100 cycles
``escalate_*_s``               0 s – 1 day
``material_t_in_s``            0 – 1 h
``material_dcpa_m``            0 – 185 200 m       100 NM
``min_update_interval_s``      0 – 1 h
``[messages] escalate_s``      1 s – 1 day         an open message escalates to both ends
``[messages] escalate_admin_s``  0 s – 1 day       ... and this much later, to the admin
``[messages] line_check_every_s``  60 s – 1 day    how often every line is checked
``[messages] line_check_timeout_s``  5 s – 1 h     silence that degrades a line
``[messages] retain_s``        1 h – 7 days        messages kept for ``GET /v1/messages``
=============================  ==================  ===================================
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from airhotline import units
from airhotline.bounds import bounded
from airhotline.core.alerts import AlertPolicy
from airhotline.core.messages.engine import MessagePolicy
from airhotline.core.node import HotlineConfig
from airhotline.core.quotas import Quotas
from airhotline.errors import InputError

__all__ = [
    "HOTLINE_BOUNDS",
    "MESSAGE_BOUNDS",
    "POLICY_BOUNDS",
    "QUOTA_BOUNDS",
    "check_agreement_parties",
    "load_settings",
    "settings_from_mapping",
]

_HOUR = 3_600.0
_DAY = 86_400.0
_CYCLES = (1, 100)

#: ``[hotline]``: the settable `HotlineConfig` fields and their bounds, in seconds.
HOTLINE_BOUNDS: dict[str, tuple[float, float]] = {
    "cycle_s": (0.05, 60.0),
    "coast_after_s": (0.05, _DAY),
    "lost_after_s": (0.05, _DAY),
    "future_tolerance_s": (0.0, _HOUR),
    "past_tolerance_s": (60.0, _DAY),
    "idempotency_retention_s": (1.0, 7 * _DAY),
    "exposure_limit": (1, 100_000),
    "exposure_window_s": (60.0, _DAY),
    "flood_limit": (1, 10_000),
    "flood_every_s": (1.0, _HOUR),
    "streams_per_party": (1, 1_000),
}
#: ``[quotas]``: the `Quotas` per party.
QUOTA_BOUNDS: dict[str, tuple[float, float]] = {
    "max_live_tracks": (1, 1_000_000),
    "reports_per_s": (1.0, 1_000_000.0),
    "burst_s": (1.0, 60.0),
}
#: ``[messages]``: the `MessagePolicy`.
MESSAGE_BOUNDS: dict[str, tuple[float, float]] = {
    "escalate_s": (1.0, _DAY),
    "escalate_admin_s": (0.0, _DAY),
    "line_check_every_s": (60.0, _DAY),
    "line_check_timeout_s": (5.0, _HOUR),
    "retain_s": (_HOUR, 7 * _DAY),
}
#: Settings that count things: whole numbers.
_WHOLE = {"exposure_limit", "flood_limit", "max_live_tracks", "streams_per_party"}

#: ``[alerts]`` and each ``[[alerts.agreement]]``: every `AlertPolicy` field's bounds.
POLICY_BOUNDS: dict[str, tuple[float, float]] = {
    "advisory_s": (1.0, _HOUR),
    "caution_s": (1.0, _HOUR),
    "warning_s": (1.0, _HOUR),
    "confirm_hits": _CYCLES,
    "confirm_window": _CYCLES,
    "clear_cycles": _CYCLES,
    "escalate_warning_s": (0.0, _DAY),
    "escalate_caution_s": (0.0, _DAY),
    "escalate_admin_s": (0.0, _DAY),
    "material_t_in_s": (0.0, _HOUR),
    "material_dcpa_m": (0.0, units.m_from_nm(100.0)),
    "min_update_interval_s": (0.0, _HOUR),
}


def load_settings(path: Path) -> HotlineConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError("--config", f"cannot read '{path}': {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError("--config", f"'{path}' is not valid TOML: {error}") from None
    return settings_from_mapping(data)


def settings_from_mapping(data: Mapping[str, Any]) -> HotlineConfig:
    _only(data, ("hotline", "alerts", "quotas", "messages"), "")
    hotline = _table(data.get("hotline", {}), "hotline")
    _only(hotline, tuple(HOTLINE_BOUNDS), "hotline")
    alerts = _table(data.get("alerts", {}), "alerts")
    agreements = alerts.pop("agreement", [])
    policy = _policy(AlertPolicy(), alerts, "alerts")
    timing: dict[str, Any] = {
        k: _setting(v, f"hotline.{k}", HOTLINE_BOUNDS[k], k in _WHOLE) for k, v in hotline.items()
    }
    quotas = _table(data.get("quotas", {}), "quotas")
    _only(quotas, tuple(QUOTA_BOUNDS), "quotas")
    limits: dict[str, Any] = {
        k: _setting(v, f"quotas.{k}", QUOTA_BOUNDS[k], k in _WHOLE) for k, v in quotas.items()
    }
    talk = _table(data.get("messages", {}), "messages")
    _only(talk, tuple(MESSAGE_BOUNDS), "messages")
    messages = MessagePolicy(
        **{k: bounded(v, f"messages.{k}", MESSAGE_BOUNDS[k]) for k, v in talk.items()}
    )
    config = HotlineConfig(
        messages=messages,
        alert_policy=policy,
        agreement_policies=_agreements(policy, agreements),
        quotas=Quotas(**limits),
        **timing,
    )
    if not config.coast_after_s <= config.lost_after_s:
        raise InputError("hotline.coast_after_s", "need coast_after_s <= lost_after_s")
    return config


def check_agreement_parties(config: HotlineConfig, known: Collection[str]) -> None:
    """Refuse an agreement policy naming a party that ``known`` (the parties of the
    database) lacks: a misspelt name would leave the pair on the default policy."""
    for index, pair in enumerate(config.agreement_policies):
        for name in sorted(pair):
            if name not in known:
                raise InputError(f"alerts.agreement[{index}].parties", f"no party named {name!r}")


def _agreements(base: AlertPolicy, entries: Any) -> dict[frozenset[str], AlertPolicy]:
    """Each pair's policy, in the file's order (`check_agreement_parties` counts on it)."""
    if not isinstance(entries, list):
        raise InputError("alerts.agreement", "must be an array of tables ([[alerts.agreement]])")
    policies: dict[frozenset[str], AlertPolicy] = {}
    first_of: dict[frozenset[str], int] = {}
    for index, entry in enumerate(entries):
        where = f"alerts.agreement[{index}]"
        values = _table(entry, where)
        parties = values.pop("parties", None)
        if not (
            isinstance(parties, list)
            and len(parties) == 2
            and all(isinstance(p, str) for p in parties)
            and parties[0] != parties[1]
        ):
            raise InputError(f"{where}.parties", "must name two different parties")
        pair = frozenset(parties)
        if pair in first_of:
            earlier = f"alerts.agreement[{first_of[pair]}]"
            raise InputError(f"{where}.parties", f"this pair has a policy already: {earlier}")
        first_of[pair] = index
        policies[pair] = _policy(base, values, where)
    return policies


def _policy(base: AlertPolicy, values: Mapping[str, Any], where: str) -> AlertPolicy:
    known = {f.name: f.type for f in fields(AlertPolicy)}
    _only(values, tuple(known), where)
    changes: dict[str, Any] = {}
    for key, value in values.items():
        number = bounded(value, f"{where}.{key}", POLICY_BOUNDS[key])
        if known[key] in ("int", int):
            if number != int(number):
                raise InputError(f"{where}.{key}", "must be a whole number")
            changes[key] = int(number)
        else:
            changes[key] = number
    try:
        return replace(base, **changes)
    except ValueError as error:
        raise InputError(where, str(error)) from None


def _setting(value: Any, field: str, bounds: tuple[float, float], whole: bool) -> float | int:
    number = bounded(value, field, bounds)
    if not whole:
        return number
    if number != int(number):
        raise InputError(field, "must be a whole number")
    return int(number)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(where, f"must be a table, got {value!r}")
    return dict(value)


def _only(values: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in values:
        if key not in allowed:
            place = f"{where}.{key}" if where else key
            raise InputError(place, f"unknown setting; known: {', '.join(allowed)}")
