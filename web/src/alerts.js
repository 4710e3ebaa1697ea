// The alert list: most urgent first, the tier's colour, a live countdown to the loss of
// separation, coasting and escalated alerts marked, acknowledgement by click or Enter.
import { html } from "htm/preact";
import { ltr, t } from "./i18n.js";
import { secondsToLoss } from "./live.js";

export function clockText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function trackName(track) {
  return `${track.track_id} (${track.party ?? "?"})`;
}

export function AlertList({ live, selected, onSelect, onAck }) {
  const alerts = live.sortedAlerts();
  if (alerts.length === 0) return html`<p class="empty">${t("alerts.none")}</p>`;
  const now = live.now();
  return html`<ol class="alerts" role="list">
    ${alerts.map((alert) => {
      const mine = (alert.acknowledgements || []).some((k) => k.party === live.party);
      const parties = [...new Set([...(alert.tracks || []).map((k) => k.party), alert.notice?.party])]
        .filter(Boolean);
      const acked = (alert.acknowledgements || []).map((k) => k.party);
      const waiting = parties.filter((p) => !acked.includes(p));
      // One's own centre named as such: "Waiting for ATLAS (you), BOREAS".
      const who = (names) => names.map((p) => (p === live.party ? `${p} (${t("alerts.you")})` : p)).join(", ");
      const coasting = (alert.tracks || []).some((k) => k.coasting);
      const resolved = alert.state === "resolved";
      const left = secondsToLoss(alert, now);
      const incursion = alert.kind === "notice-incursion";
      let countdown;
      if (resolved) {
        countdown = t("alerts.resolved", {
          h: ltr(`${(alert.min_h_sep_nm ?? 0).toFixed(1)} NM`),
          v: ltr(`${Math.round(alert.min_v_sep_ft ?? 0)} ft`),
        });
      } else if (alert.los || left <= 0) {
        countdown = incursion ? t("alerts.inside") : t("alerts.los");
      } else {
        countdown = t(incursion ? "alerts.entry" : "alerts.in", { t: ltr(clockText(left)) });
      }
      const classes = [
        "alert",
        `tier-${alert.tier}`,
        resolved ? "resolved" : "",
        alert.escalation > 0 && !resolved ? "escalated" : "",
        coasting ? "coasting" : "",
        selected === alert.alert_id ? "selected" : "",
        !mine && !resolved && alert.isNew ? "new" : "",
      ].join(" ");
      const what = incursion
        ? `${trackName(alert.tracks[0])} → ${t("alerts.notice", { id: alert.notice?.notice_id ?? "" })}`
        : (alert.tracks || []).map(trackName).join(" ↔ ");
      return html`<li
        class=${classes}
        data-alert=${alert.alert_id}
        data-tier=${alert.tier}
        tabindex="0"
        onClick=${() => onSelect(alert.alert_id)}
      >
        <div class="alert-head">
          <span class="tier">${t(`tier.${alert.tier}`)}</span>
          <span class="countdown" data-seconds=${Math.round(left)}>${countdown}</span>
        </div>
        <div class="alert-what">${ltr(what)}</div>
        ${!resolved && !incursion
          ? html`<div class="alert-cpa">
              ${t("alerts.cpa", {
                d: ltr(`${alert.dcpa_nm.toFixed(1)} NM`),
                z: ltr(`${Math.round(alert.dz_cpa_ft)} ft`),
                t: ltr(clockText(Math.max(0, alert.t_cpa_s - (now - alert.updatedMs) / 1000))),
              })}
            </div>`
          : null}
        ${coasting ? html`<div class="flag coast">${t("alerts.coasting")}</div>` : null}
        ${alert.escalation > 0 && !resolved
          ? html`<div class="flag escalated">${t("alerts.escalated")}</div>`
          : null}
        <div class="acks">
          ${acked.length ? html`<span class="acked">${t("alerts.ackedBy", { who: who(acked) })}</span>` : null}
          ${waiting.length && !resolved
            ? html`<span class="waiting">${t("alerts.waiting", { who: who(waiting) })}</span>`
            : null}
        </div>
        ${!resolved && !mine
          ? html`<button
              class="ack"
              onClick=${(e) => {
                e.stopPropagation();
                onAck(alert.alert_id);
              }}
            >
              ${t("alerts.ack")} ⏎
            </button>`
          : null}
        ${mine && !resolved ? html`<span class="done">✓ ${t("alerts.acked")}</span>` : null}
      </li>`;
    })}
  </ol>`;
}
