"""Simulated traffic for demos, drills and benchmarks: seeded, reproducible, vectorised."""

from airhotline.simulate.traffic import (
    BUSY_HUBS,
    RAMP_NM,
    Airports,
    Phase,
    Traffic,
    load_airports,
    worldwide_traffic,
)

__all__ = [
    "BUSY_HUBS",
    "RAMP_NM",
    "Airports",
    "Phase",
    "Traffic",
    "load_airports",
    "worldwide_traffic",
]
