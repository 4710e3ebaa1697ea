"""Who may do what, and who may see what.

Credentials are 256-bit random bearer tokens, shown once and stored only as SHA-256
hashes. Looking a token up by its hash and comparing the hashes in constant time means a
caller learns nothing from timing, and a stolen database holds no usable token.

Visibility follows the agreement between two parties: ``full`` shares the whole picture,
``conflicts-only`` (the default, also when no agreement was made) shares only the aircraft
in an active alert with one's own, and a ``suspended`` agreement shares nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "TOKEN_PREFIX",
    "AgreementMode",
    "AgreementStatus",
    "Principal",
    "Role",
    "Sharing",
    "hash_token",
    "new_token",
    "tokens_match",
]

TOKEN_PREFIX = "ahl_"


class Role(StrEnum):
    FEED = "feed"  # reports the party's own tracks
    OPERATOR = "operator"  # reads, acknowledges, messages
    ADMIN = "admin"  # parties and agreements; belongs to no party


class AgreementMode(StrEnum):
    CONFLICTS_ONLY = "conflicts-only"
    FULL = "full"


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a party's feed or operator, or the admin."""

    token_id: int
    role: Role
    party_id: int | None
    party_name: str | None


@dataclass(frozen=True, slots=True)
class Minima:
    """An agreement's own separation minima and look-ahead (the seeds' lines agreed
    their own); None in a field: the deployment's."""

    h_sep_nm: float | None = None
    v_sep_ft: float | None = None
    lookahead_s: float | None = None

    @property
    def empty(self) -> bool:
        return self.h_sep_nm is None and self.v_sep_ft is None and self.lookahead_s is None


NO_MINIMA = Minima()


@dataclass(frozen=True, slots=True)
class Sharing:
    """What ``viewer`` may see of ``owner``'s tracks, and the minima their agreement
    holds their aircraft to."""

    mode: AgreementMode
    status: AgreementStatus
    minima: Minima = NO_MINIMA

    @property
    def full_picture(self) -> bool:
        return self.status is AgreementStatus.ACTIVE and self.mode is AgreementMode.FULL

    @property
    def conflicts(self) -> bool:
        return self.status is AgreementStatus.ACTIVE


#: Two parties that never signed anything still share the aircraft of their conflicts:
#: warning both sides is the point of the hotline.
DEFAULT_SHARING = Sharing(AgreementMode.CONFLICTS_ONLY, AgreementStatus.ACTIVE)


def new_token() -> str:
    """A fresh bearer token: 256 random bits, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(stored_hash: str, presented: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_token(presented))


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def sharing_partners(
    party_id: int, agreements: Iterable[tuple[int, int, Sharing]]
) -> dict[int, Sharing]:
    """The sharing of every party that has an agreement with ``party_id``."""
    partners: dict[int, Sharing] = {}
    for low, high, sharing in agreements:
        if party_id in (low, high):
            partners[high if low == party_id else low] = sharing
    return partners
