"""Event buses: committed journal records fanned out to live subscribers."""

from airhotline.bus.local import EventBus, LocalEventBus, Subscription

__all__ = ["EventBus", "LocalEventBus", "Subscription"]
