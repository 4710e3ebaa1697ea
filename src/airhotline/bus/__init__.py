"""Event buses: committed journal records fanned out to live subscribers.

Each implements the core's `airhotline.core.ports.EventBus`; the in-process one now,
NATS JetStream when the hotline runs on more than one node.
"""

from airhotline.bus.local import LocalEventBus

__all__ = ["LocalEventBus"]
