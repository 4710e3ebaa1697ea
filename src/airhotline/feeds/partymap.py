"""The party map: which party each aircraft of a mixed feed belongs to, and its token.

One receiver hears the aircraft of every operator over a fire; the hotline must see
each operator's aircraft as that operator's. A map (YAML) names the parties and how to
tell their aircraft::

    parties:
      TANKERS:
        token_env: TANKERS_FEED_TOKEN     # or token: "..." (the party's feed token)
        callsign_prefixes: [T]
        icao24: [a52add, a53602]
        icao24_ranges: ["a50000-a5ffff"]  # inclusive, hex
    unmapped: drop                        # or the name of one of the parties

A row goes, in this order, to: the party its recording names (a CSV's ``party``
column) when the map has it; the party listing its address; the party whose range
holds its address; the party with the longest callsign prefix it starts with; else
``unmapped``. Lists and prefixes may not be claimed twice and ranges may not overlap:
an aircraft has one owner, whichever rule finds it. Every error names the field.

`load_party_map` reads and checks; `PartyRouter` applies a map to rows, remembering
the party an address was given by its callsign so that the reports of that aircraft
heard before or without its identification follow it. The router is not thread-safe.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airhotline.feeds._rows import Row, clean_icao24

__all__ = ["DROP", "Party", "PartyMap", "PartyMapError", "PartyRouter", "load_party_map"]

#: ``unmapped: drop``: aircraft no rule claims are not sent.
DROP = "drop"
_PARTY_KEYS = frozenset(("token", "token_env", "callsign_prefixes", "icao24", "icao24_ranges"))
_TOP_KEYS = frozenset(("parties", "unmapped"))


class PartyMapError(ValueError):
    """A map that cannot be used; the message starts with the file and the field."""


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    token: str | None
    token_env: str | None
    callsign_prefixes: tuple[str, ...]
    icao24: frozenset[int]
    icao24_ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class PartyMap:
    parties: Mapping[str, Party]
    #: `DROP` or a party's name.
    unmapped: str
    source: str = "party map"

    def token(self, party: str, environ: Mapping[str, str] | None = None) -> str:
        """The party's feed token: given, or read from its variable in ``environ``."""
        entry = self.parties[party]
        if entry.token is not None:
            return entry.token
        environ = os.environ if environ is None else environ
        where = f"{self.source}: parties.{party}"
        if entry.token_env is None:
            raise PartyMapError(f"{where}: needs token or token_env to send to a server")
        value = environ.get(entry.token_env, "").strip()
        if not value:
            raise PartyMapError(f"{where}.token_env: ${entry.token_env} is not set")
        return value


def load_party_map(path: Path) -> PartyMap:
    """The map in the YAML file at ``path``; `PartyMapError` naming the field otherwise."""
    from airhotline.files.yaml_file import YamlFileError, read_yaml

    try:
        document = read_yaml(path)
    except YamlFileError as error:
        raise PartyMapError(str(error)) from None
    return party_map_of(document, str(path))


def party_map_of(document: Any, source: str = "party map") -> PartyMap:
    """A map from its parsed YAML; `PartyMapError` naming the field otherwise."""
    if not isinstance(document, dict):
        raise PartyMapError(f"{source}: must be a mapping with 'parties'")
    for key in document:
        if key not in _TOP_KEYS:
            raise PartyMapError(f"{source}: {key}: unknown field (one of {sorted(_TOP_KEYS)})")
    raw = document.get("parties")
    if not isinstance(raw, dict) or not raw:
        raise PartyMapError(f"{source}: parties: must map at least one party name to its rules")
    parties = {
        str(name): _party(str(name), rules, f"{source}: parties.{name}")
        for name, rules in raw.items()
    }
    unmapped = document.get("unmapped", DROP)
    if not isinstance(unmapped, str) or (unmapped != DROP and unmapped not in parties):
        raise PartyMapError(f"{source}: unmapped: must be 'drop' or one of {sorted(parties)}")
    _check_unique(parties, source)
    return PartyMap(parties, unmapped, source)


def _party(name: str, rules: Any, where: str) -> Party:
    if not name.strip() or len(name) > 64 or not name.isprintable():
        raise PartyMapError(f"{where}: not a party name")
    if rules is None:
        rules = {}
    if not isinstance(rules, dict):
        raise PartyMapError(f"{where}: must be a mapping of rules")
    for key in rules:
        if key not in _PARTY_KEYS:
            raise PartyMapError(f"{where}.{key}: unknown field (one of {sorted(_PARTY_KEYS)})")
    token, token_env = rules.get("token"), rules.get("token_env")
    for key, value in (("token", token), ("token_env", token_env)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PartyMapError(f"{where}.{key}: must be a non-empty string")
    prefixes = _strings(rules.get("callsign_prefixes", []), f"{where}.callsign_prefixes")
    addresses = frozenset(
        _address(text, f"{where}.icao24[{i}]")
        for i, text in enumerate(_strings(rules.get("icao24", []), f"{where}.icao24"))
    )
    ranges = []
    for i, text in enumerate(_strings(rules.get("icao24_ranges", []), f"{where}.icao24_ranges")):
        field = f"{where}.icao24_ranges[{i}]"
        low, sep, high = text.partition("-")
        if not sep:
            raise PartyMapError(f"{field}: write a range as 'a00000-a0ffff'")
        first, last = _address(low, field), _address(high, field)
        if first > last:
            raise PartyMapError(f"{field}: starts after it ends")
        ranges.append((first, last))
    return Party(
        name,
        token,
        token_env,
        tuple(p.upper() for p in prefixes),
        addresses,
        tuple(sorted(ranges)),
    )


def _strings(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PartyMapError(f"{field}: must be a list of non-empty strings")
    return [v.strip() for v in value]


def _address(text: str, field: str) -> int:
    address = clean_icao24(text)
    if address is None:
        raise PartyMapError(f"{field}: {text!r} is not a 24-bit address (six hex digits)")
    return int(address, 16)


def _check_unique(parties: Mapping[str, Party], source: str) -> None:
    """One owner per address, prefix and range: the map must never have to choose."""
    owners: dict[object, str] = {}
    for party in parties.values():
        claims: Iterable[tuple[str, object]] = [
            *(("icao24", a) for a in party.icao24),
            *(("callsign_prefixes", p) for p in party.callsign_prefixes),
        ]
        for field, claim in claims:
            other = owners.setdefault((field, claim), party.name)
            if other != party.name:
                shown = f"{claim:06x}" if isinstance(claim, int) else claim
                raise PartyMapError(
                    f"{source}: parties.{party.name}.{field}: {shown} is {other}'s already"
                )
    spans = sorted((r, p.name) for p in parties.values() for r in p.icao24_ranges)
    reach, owner = -1, ""
    for (start, end), name in spans:
        if start <= reach:
            raise PartyMapError(
                f"{source}: parties.{name}.icao24_ranges: {start:06x} is in a range of {owner}"
            )
        if end > reach:
            reach, owner = end, name


class PartyRouter:
    """A map applied to rows: `split` gives each party its share.

    **Thread-safety.** None: one per feed, like the feed's assembler.
    """

    def __init__(self, party_map: PartyMap) -> None:
        self.map = party_map
        self.dropped = 0
        self._addresses = {a: p.name for p in party_map.parties.values() for a in p.icao24}
        spans = sorted((r, p.name) for p in party_map.parties.values() for r in p.icao24_ranges)
        self._starts = [start for (start, _), _ in spans]
        self._spans = spans
        self._prefixes = sorted(
            (
                (prefix, p.name)
                for p in party_map.parties.values()
                for prefix in p.callsign_prefixes
            ),
            key=lambda item: -len(item[0]),
        )
        #: The party each address was last given by its callsign.
        self._learned: dict[str, str] = {}

    def party_of(self, row: Row) -> str | None:
        """The row's party, or None when it is dropped."""
        named = row.get("party")
        if named is not None and named in self.map.parties:
            return named
        address = row.get("icao24")
        if address is not None:
            number = int(address, 16)
            owner = self._addresses.get(number)
            if owner is not None:
                return owner
            index = bisect.bisect_right(self._starts, number) - 1
            if index >= 0 and self._spans[index][0][1] >= number:
                return self._spans[index][1]
        callsign = row.get("callsign")
        if callsign is not None:
            upper = callsign.upper()
            for prefix, owner in self._prefixes:
                if upper.startswith(prefix):
                    if address is not None:
                        self._learned[address] = owner
                    return owner
        if address is not None and address in self._learned:
            return self._learned[address]
        return None if self.map.unmapped == DROP else self.map.unmapped

    def split(self, rows: Iterable[Row]) -> dict[str, list[Row]]:
        """Each party's rows, in their order; unclaimed rows counted in ``dropped``."""
        shares: dict[str, list[Row]] = {}
        for row in rows:
            party = self.party_of(row)
            if party is None:
                self.dropped += 1
            else:
                shares.setdefault(party, []).append(row)
        return shares
