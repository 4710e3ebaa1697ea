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

An unknown key or a bad value is an `InputError` naming it (``alerts.caution_s``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from airhotline.core.alerts import AlertPolicy
from airhotline.core.node import HotlineConfig
from airhotline.errors import InputError

__all__ = ["load_settings", "settings_from_mapping"]

_HOTLINE_KEYS = (
    "cycle_s",
    "coast_after_s",
    "lost_after_s",
    "future_tolerance_s",
    "idempotency_retention_s",
)


def load_settings(path: Path) -> HotlineConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError("--config", f"cannot read '{path}': {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError("--config", f"'{path}' is not valid TOML: {error}") from None
    return settings_from_mapping(data)


def settings_from_mapping(data: Mapping[str, Any]) -> HotlineConfig:
    _only(data, ("hotline", "alerts"), "")
    hotline = dict(data.get("hotline", {}))
    _only(hotline, _HOTLINE_KEYS, "hotline")
    alerts = dict(data.get("alerts", {}))
    agreements = alerts.pop("agreement", [])
    policy = _policy(AlertPolicy(), alerts, "alerts")
    per_agreement: dict[frozenset[str], AlertPolicy] = {}
    if not isinstance(agreements, list):
        raise InputError("alerts.agreement", "must be an array of tables ([[alerts.agreement]])")
    for index, entry in enumerate(agreements):
        where = f"alerts.agreement[{index}]"
        entry = dict(entry)
        parties = entry.pop("parties", None)
        if not (
            isinstance(parties, list)
            and len(parties) == 2
            and all(isinstance(p, str) for p in parties)
            and parties[0] != parties[1]
        ):
            raise InputError(f"{where}.parties", "must name two different parties")
        per_agreement[frozenset(parties)] = _policy(policy, entry, where)
    timing: dict[str, Any] = {k: _number(v, f"hotline.{k}") for k, v in hotline.items()}
    config = HotlineConfig(alert_policy=policy, agreement_policies=per_agreement, **timing)
    if config.cycle_s <= 0:
        raise InputError("hotline.cycle_s", "must be positive")
    if not 0 < config.coast_after_s <= config.lost_after_s:
        raise InputError("hotline.coast_after_s", "need 0 < coast_after_s <= lost_after_s")
    return config


def _policy(base: AlertPolicy, values: Mapping[str, Any], where: str) -> AlertPolicy:
    known = {f.name: f.type for f in fields(AlertPolicy)}
    _only(values, tuple(known), where)
    changes: dict[str, Any] = {}
    for key, value in values.items():
        number = _number(value, f"{where}.{key}")
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


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(field, f"must be a non-negative number, got {value!r}")
    return float(value)


def _only(values: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in values:
        if key not in allowed:
            place = f"{where}.{key}" if where else key
            raise InputError(place, f"unknown setting; known: {', '.join(allowed)}")
