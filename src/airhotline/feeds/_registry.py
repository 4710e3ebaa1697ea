"""The adapters by name: each format's module registers its assembler here.

An *assembler* is the one stateful object of a feed: bytes in as they are read, state
reports out as they become complete, and a tally of what was skipped. A format module
registers its assembler class under the format's name with `register`, as pyModeS
registers its decoders; the feed client and replay pick one with `adapter`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from airhotline.feeds._rejects import Rejections
from airhotline.feeds._rows import Row

__all__ = ["ADAPTERS", "Adapter", "Assembler", "adapter", "make_assembler", "register"]


class Assembler(Protocol):
    """One feed's assembler: not thread-safe, owned by the one thread reading the feed."""

    @property
    def rejections(self) -> Rejections: ...

    #: Messages read so far (lines, frames, state vectors, records), rejected or not.
    messages: int

    def feed(self, data: bytes, received_us: int) -> list[Row]:
        """The state reports completed by ``data``, read at ``received_us`` (UTC µs)."""
        ...


@dataclass(frozen=True, slots=True)
class Adapter:
    name: str
    summary: str
    make: Callable[..., Assembler]


ADAPTERS: dict[str, Adapter] = {}
_A = TypeVar("_A", bound=Callable[..., Assembler])


def register(name: str, summary: str) -> Callable[[_A], _A]:
    """Class decorator: make the assembler known as ``name``."""

    def decorate(make: _A) -> _A:
        if name in ADAPTERS:
            raise ValueError(f"a feed adapter named {name!r} is already registered")
        ADAPTERS[name] = Adapter(name, summary, make)
        return make

    return decorate


def adapter(name: str) -> Adapter:
    """The adapter registered as ``name``; `ValueError` naming the choices otherwise."""
    try:
        return ADAPTERS[name]
    except KeyError:
        raise ValueError(f"unknown feed format {name!r}: one of {sorted(ADAPTERS)}") from None


def make_assembler(name: str, **options: Any) -> Assembler:
    return adapter(name).make(**options)
