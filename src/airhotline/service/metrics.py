"""Prometheus metrics, read from the node when scraped; one registry per app, no globals."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from airhotline.core.node import HotlineNode

__all__ = ["ServiceMetrics"]


class _NodeCollector(Collector):
    def __init__(self, node: HotlineNode) -> None:
        self._node = node

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        node = self._node
        yield CounterMetricFamily(
            "airhotline_reports",
            "State reports accepted and committed (rate() gives reports/s)",
            value=node.reports_accepted,
        )
        yield GaugeMetricFamily(
            "airhotline_tracks", "Tracks in the picture", value=len(node.picture)
        )
        last = node.last_cycle
        yield GaugeMetricFamily(
            "airhotline_coasting_tracks",
            "Tracks coasting at the last cycle",
            value=last.coasting if last else 0,
        )
        yield GaugeMetricFamily(
            "airhotline_stream_clients", "Open event streams", value=node.bus.subscribers
        )
        yield GaugeMetricFamily(
            "airhotline_journal_lag",
            "Units of work queued for the journal writer, not yet committed",
            value=node.store.writer_lag,
        )
        yield GaugeMetricFamily(
            "airhotline_journal_head",
            "Sequence number of the journal head",
            value=node.store.head().seq,
        )


class ServiceMetrics:
    def __init__(self, node: HotlineNode) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_NodeCollector(node))
        self.cycle_seconds = Histogram(
            "airhotline_cycle_seconds",
            "Duration of a picture cycle (detection and steps included)",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
