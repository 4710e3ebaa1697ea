"""Notice incursions as alerts: the screen's findings in the alert engine's own terms.

An incursion is a pair like a conflict's — the track, then the notice's subject
(`model.notice_subject`) — with a `Prediction` like a conflict's: its tier from the time
to entry under the policy of the two parties' agreement (inside now: a warning), the
time to entry as ``t_in_s`` and to the closest approach, the time out of the volume as
``t_out_s``, zero as the distance it will reach. So tiers, confirmation, acknowledgement,
escalation, journal and resolution are the conflict's code.

The separation "actually reached" is the reported position's distance to the notice's
volume: horizontally to its area (zero over it), vertically to its band (zero within
it), at a report time in the notice's window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import shapely

from airhotline import units
from airhotline.core.alerts.model import Alert, PairKey, notice_subject
from airhotline.core.alerts.policy import AlertPolicy
from airhotline.core.alerts.prediction import Prediction
from airhotline.core.notices.model import Notice
from airhotline.core.notices.screen import Incursion
from airhotline.core.picture import PictureView, TrackKey

__all__ = ["incursion_predictions", "measure_incursions", "volume_distance_m"]


def incursion_predictions(
    view: PictureView,
    found: Iterable[Incursion],
    policy_for: Callable[[int, int], AlertPolicy],
) -> dict[PairKey, Prediction]:
    """Each incursion within some tier's time, as its pair's prediction."""
    predicted: dict[PairKey, Prediction] = {}
    for incursion in found:
        row, notice, hit = incursion.row, incursion.notice, incursion.entry
        party = int(view.party_id[row])
        t_in = max(0.0, hit.t_in_s)
        tier = policy_for(party, notice.owner).tier(t_in, hit.inside)
        if tier is None:
            continue
        pair = (view.key(row), notice_subject(notice.owner, notice.id))
        predicted[pair] = Prediction(
            tier=tier,
            t_in_s=t_in,
            t_out_s=max(t_in, hit.t_out_s),
            t_cpa_s=t_in,
            dcpa_m=0.0,
            dz_cpa_m=0.0,
            los=hit.inside,
            coasting=(bool(view.coasting[row]), False),
            notice_kind=notice.kind,
        )
    return predicted


def volume_distance_m(
    notice: Notice, lat_deg: float, lon_deg: float, alt_ft: float
) -> tuple[float, float]:
    """How far a position is from the notice's volume: horizontally from its area and
    vertically from its band, metres (zero: over it, within it)."""
    area = notice.area
    (x,), (y,) = area.to_plane([lat_deg], [lon_deg])
    if area.radius_m is not None:
        horizontal = max(0.0, float(np.hypot(x, y)) - area.radius_m)
    else:
        horizontal = float(shapely.distance(area.plane, shapely.Point(float(x), float(y))))
    band = notice.band
    vertical_ft = max(0.0, band.lower_ft - alt_ft, alt_ft - band.upper_ft)
    return horizontal, float(units.m_from_ft(vertical_ft))


def measure_incursions(
    view: PictureView,
    rows: Mapping[TrackKey, int],
    alerts: Iterable[Alert],
    notices: Mapping[str, Notice],
) -> dict[str, Alert]:
    """The incursion alerts whose minima this view's reports improve, by id: each
    track's reported position against its notice, if the notice is live then."""
    measured: dict[str, Alert] = {}
    reported = view.reported
    for alert in alerts:
        notice = notices.get(alert.notice_id) if alert.notice_id is not None else None
        if notice is None or alert.track_a not in rows:
            continue
        row = rows[alert.track_a]
        at = int(view.report_time_us[row])
        if not notice.window.active_at(at):
            continue
        horizontal, vertical = volume_distance_m(
            notice,
            float(reported.lat_deg[row]),
            float(reported.lon_deg[row]),
            float(units.ft_from_m(reported.alt_m[row])),
        )
        better = alert.with_separation(horizontal, vertical, at)
        if better is not alert:
            measured[alert.id] = better
    return measured
