"""Alert policies: the deployment's, and one per agreement (a pair of party names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from airhotline import units
from airhotline.core.alerts.model import Tier

__all__ = ["AlertPolicy", "PolicyBook"]


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Thresholds and timings of alerting; every number is configurable."""

    advisory_s: float = 300.0
    caution_s: float = 120.0
    warning_s: float = 60.0
    confirm_hits: int = 2
    confirm_window: int = 3
    clear_cycles: int = 3
    escalate_warning_s: float = 30.0
    escalate_caution_s: float = 60.0
    #: After the first escalation, further silence this long escalates to the admin.
    escalate_admin_s: float = 60.0
    material_t_in_s: float = 10.0
    material_dcpa_m: float = units.m_from_nm(0.25)
    #: Numbers-only updates (no tier change) at most this often: a prediction that
    #: wobbles (a feed alternating speeds) must not flood the operators.
    min_update_interval_s: float = 10.0

    def __post_init__(self) -> None:
        if not 0.0 < self.warning_s <= self.caution_s <= self.advisory_s:
            raise ValueError("need 0 < warning_s <= caution_s <= advisory_s")
        if not 1 <= self.confirm_hits <= self.confirm_window:
            raise ValueError("need 1 <= confirm_hits <= confirm_window")
        if self.clear_cycles < 1:
            raise ValueError("clear_cycles must be at least 1")

    def tier(self, t_in_s: float, los: bool) -> Tier | None:
        if los or t_in_s <= self.warning_s:
            return Tier.WARNING
        if t_in_s <= self.caution_s:
            return Tier.CAUTION
        if t_in_s <= self.advisory_s:
            return Tier.ADVISORY
        return None


@dataclass(frozen=True, slots=True)
class PolicyBook:
    """The deployment's policy and the agreements' own, keyed by the two party names."""

    default: AlertPolicy = field(default_factory=AlertPolicy)
    by_agreement: Mapping[frozenset[str], AlertPolicy] = field(default_factory=dict)

    def for_names(self, name_a: str | None, name_b: str | None) -> AlertPolicy:
        if not self.by_agreement or name_a is None or name_b is None:
            return self.default
        return self.by_agreement.get(frozenset((name_a, name_b)), self.default)

    @property
    def lookahead_s(self) -> float:
        """How far detection must look: the longest advisory time of any policy."""
        return max([self.default.advisory_s, *(p.advisory_s for p in self.by_agreement.values())])
