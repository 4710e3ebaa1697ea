"""The one composition root: a hotline node with its store, clock, bus, ids and settings.

``airhotline serve``, the other commands, the drill runner, the tests and the benchmarks
all build their node here, so that each part is chosen in one place and handed in —
never reached for through a module-level global, never patched in afterwards::

    node = build_node("sqlite:///var/airhotline.db")                       # operations
    node = build_node(url, clock=SimulatedClock(t0), ids=SequentialIds())  # a drill

``journal_layer`` wraps the opened store before the node sees it — a test's fault
injection, say — and must keep its contract (`airhotline.core.ports.Journal`).
"""

from __future__ import annotations

from collections.abc import Callable

from airhotline.bus import LocalEventBus
from airhotline.clock import Clock, SystemClock
from airhotline.core.alerts import Detector
from airhotline.core.alerts.prediction import default_detector
from airhotline.core.node import HotlineConfig, HotlineNode
from airhotline.core.ports import EventBus, Journal
from airhotline.ids import IdSource, RandomIds
from airhotline.store import Store

__all__ = ["build_node", "open_store"]


def open_store(
    url: str, *, clock: Clock | None = None, create: bool = True, durable: bool = True
) -> Store:
    """The store at ``url``, migrated, its own stamps (idempotent answers) on ``clock``;
    with ``create=False`` only one that holds a journal already; ``durable=False`` only
    for a journal that can be written again (`Store.open`)."""
    return Store.open(url, clock_us=(clock or SystemClock()).now_us, create=create, durable=durable)


def build_node(
    url: str,
    *,
    clock: Clock | None = None,
    bus: EventBus | None = None,
    ids: IdSource | None = None,
    config: HotlineConfig | None = None,
    detector: Detector = default_detector,
    journal_layer: Callable[[Store], Journal] | None = None,
    create: bool = True,
    durable: bool = True,
) -> HotlineNode:
    """A node on the database at ``url``; the caller `close`\\ s it (which closes the store).

    Defaults are those of operations: the system clock, the in-process bus, random ids,
    default settings, the tactical detector.
    """
    clock = clock or SystemClock()
    store = open_store(url, clock=clock, create=create, durable=durable)
    journal: Journal = journal_layer(store) if journal_layer else store
    try:
        return HotlineNode(
            journal,
            clock=clock,
            bus=bus or LocalEventBus(),
            config=config,
            ids=ids or RandomIds(),
            detector=detector,
        )
    except BaseException:
        store.close()
        raise
