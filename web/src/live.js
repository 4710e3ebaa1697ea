// What the console knows: the picture (columns, refreshed once a second), the alerts,
// the messages, the parties and their lines, notices and zones; kept current by the
// party's event stream, resumed from the last event id after any break.
import { fetchEventSource } from "@microsoft/fetch-event-source";

const PICTURE_EVERY_MS = 1000;
// Seconds of trail kept per track (one point per picture).
const TRAIL_POINTS = 30;
// A resolved alert stays on the list this long, greyed, with the separation reached.
const RESOLVED_SHOWN_MS = 60_000;

export class Live {
  constructor(api, me) {
    this.api = api;
    this.party = me.party;
    this.lang = me.lang;
    this.lastEventId = me.last_event_id;
    this.tracks = emptyPicture();
    this.trails = new Map();
    this.alerts = new Map();
    this.messages = new Map();
    this.parties = [];
    this.notices = { type: "FeatureCollection", features: [] };
    this.zones = [];
    this.catalogue = [];
    this.connection = "connecting";
    this.caughtUp = null;
    this.serverOffsetMs = 0;
    this.listeners = new Set();
    this.pictureListeners = new Set();
    // For the browser tests and the benchmark: what was drawn and taken, and when.
    this.stats = { pictureMs: [], alertShown: new Map(), eventsSeen: 0, ids: [], firstAfter: me.last_event_id };
    this.controller = null;
    this.stopped = false;
  }

  // --- subscriptions ------------------------------------------------------------------

  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onPicture(listener) {
    this.pictureListeners.add(listener);
    return () => this.pictureListeners.delete(listener);
  }

  changed() {
    for (const listener of this.listeners) listener(this);
  }

  // Server time now: the picture's own clock, so that countdowns agree with the server.
  now() {
    return Date.now() + this.serverOffsetMs;
  }

  // --- start --------------------------------------------------------------------------

  async start(lang) {
    this.lang = lang;
    // The current state first, then the stream from the id read before it: what
    // happens in between arrives twice and is applied twice, harmlessly.
    await Promise.all([
      this.loadAlerts(),
      this.loadMessages(),
      this.loadParties(),
      this.loadNotices(),
      this.loadZones(),
      this.loadCatalogue(),
    ]);
    this.changed();
    this.pollPicture();
    this.stream();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
    clearTimeout(this.pictureTimer);
  }

  async setLanguage(lang) {
    this.lang = lang;
    // The stream in the new language at once, even with the server away (it retries
    // with its own address); the messages and the catalogue again, here or, if the
    // server is away, on reconnection (`setConnection`).
    this.restream();
    await this.loadWords();
    this.changed();
  }

  // What the server words in the reader's language: the messages and the catalogue.
  async loadWords() {
    await Promise.all([this.loadMessages(), this.loadCatalogue()]);
  }

  // --- REST snapshots -----------------------------------------------------------------

  async loadAlerts() {
    const active = await this.api.get("/v1/alerts?active=true&limit=1000");
    for (const alert of active) this.putAlert(normaliseAlert(alert));
  }

  async loadMessages() {
    const since = new Date(Date.now() - 24 * 3600_000).toISOString();
    const found = await this.api.get(
      `/v1/messages?since=${encodeURIComponent(since)}&limit=1000&lang=${this.lang}`,
    );
    this.messages = new Map(found.map((m) => [m.message_id, m]));
  }

  async loadParties() {
    this.parties = await this.api.get("/v1/parties");
  }

  async loadNotices() {
    this.notices = await this.api.get("/v1/notices.geojson");
  }

  async loadZones() {
    this.zones = await this.api.get("/v1/zones");
  }

  async loadCatalogue() {
    this.catalogue = await this.api.get(`/v1/message-types?lang=${this.lang}`);
  }

  async refreshMessage(id) {
    try {
      const message = await this.api.get(`/v1/messages/${id}?lang=${this.lang}`);
      this.messages.set(id, message);
      this.changed();
    } catch {
      // Gone from the retention window: nothing to show.
    }
  }

  // --- the picture, once a second ------------------------------------------------------

  async pollPicture() {
    if (this.stopped) return;
    const started = performance.now();
    try {
      const picture = await this.api.get("/v1/picture/columns");
      this.serverOffsetMs = Date.parse(picture.time) - Date.now();
      this.applyPicture(picture);
      if (this.connection === "lost" && this.streamLive) this.setConnection("live");
    } catch {
      this.setConnection("lost");
    }
    const spent = performance.now() - started;
    this.stats.pictureMs.push(spent);
    if (this.stats.pictureMs.length > 600) this.stats.pictureMs.shift();
    this.pictureTimer = setTimeout(() => this.pollPicture(), Math.max(0, PICTURE_EVERY_MS - spent));
  }

  applyPicture(p) {
    const n = p.track_id.length;
    const index = new Map();
    const tracks = {
      n,
      time: Date.parse(p.time),
      owner: p.owner,
      track_id: p.track_id,
      callsign: p.callsign,
      lat: Float64Array.from(p.lat),
      lon: Float64Array.from(p.lon),
      alt_ft: Float64Array.from(p.alt_ft),
      gs_kt: Float64Array.from(p.gs_kt),
      track_deg: Float64Array.from(p.track_deg),
      vrate_fpm: Float64Array.from(p.vrate_fpm),
      age_s: Float64Array.from(p.age_s),
      coasting: p.coasting,
      index,
    };
    const trails = new Map();
    for (let i = 0; i < n; i++) {
      const key = `${p.owner[i]}/${p.track_id[i]}`;
      index.set(key, i);
      let trail = this.trails.get(key);
      if (trail === undefined) trail = { lat: [], lon: [] };
      trail.lat.push(tracks.lat[i]);
      trail.lon.push(tracks.lon[i]);
      if (trail.lat.length > TRAIL_POINTS) {
        trail.lat.shift();
        trail.lon.shift();
      }
      trails.set(key, trail);
    }
    this.tracks = tracks;
    this.trails = trails; // tracks that left the picture leave their trails too
    this.dropOldResolved();
    for (const listener of this.pictureListeners) listener(this);
  }

  // --- the event stream ----------------------------------------------------------------

  stream() {
    this.controller = new AbortController();
    const api = this.api;
    fetchEventSource(`/v1/events?lang=${this.lang}`, {
      signal: this.controller.signal,
      // Lower case: the library sets "last-event-id" itself on every retry, and two
      // spellings of one header would reach the server joined by a comma.
      headers: {
        ...api.headers(),
        ...(this.lastEventId ? { "last-event-id": String(this.lastEventId) } : {}),
      },
      openWhenHidden: true,
      onopen: async (response) => {
        if (!response.ok) {
          this.setConnection("lost");
          throw new Error(`events: HTTP ${response.status}`);
        }
        if (this.connection === "lost") {
          // Back after a break: what the journal took meanwhile comes first.
          this.reconnectedAt = Date.now() + this.serverOffsetMs;
          this.caughtUp = 0;
        }
        this.streamLive = true;
        this.setConnection("live");
      },
      onmessage: (event) => {
        if (event.event === "stream.overflow") {
          // Fell behind: start again from the last id taken, from the journal.
          this.restream();
          return;
        }
        if (!event.data) return;
        const data = JSON.parse(event.data);
        if (data.id <= this.lastEventId) return;
        if (this.reconnectedAt && Date.parse(data.time) < this.reconnectedAt) this.caughtUp += 1;
        this.lastEventId = data.id;
        sessionStorage.setItem("airhotline.lastEventId", String(data.id));
        this.stats.eventsSeen += 1;
        if (this.stats.ids.length < 100_000) this.stats.ids.push(data.id);
        this.apply(data);
      },
      onclose: () => {
        // The server went away (a restart): come back from the last id.
        throw new Error("events: closed");
      },
      onerror: () => {
        this.streamLive = false;
        this.setConnection("lost");
        return 2000; // retry in 2 s; the library sends the last id it saw
      },
    }).catch(() => {});
  }

  restream() {
    this.controller?.abort();
    this.stream();
  }

  setConnection(state) {
    if (this.connection === state) return;
    const wasLost = this.connection === "lost";
    this.connection = state;
    if (state === "live" && wasLost) {
      // After an outage: the state may have moved while we were away.
      this.reload(() => this.loadParties());
      this.reload(() => this.loadNotices());
      this.reload(() => this.loadZones());
      // In the language chosen meanwhile, too.
      this.reload(() => this.loadWords());
    }
    this.changed();
  }

  apply(event) {
    const kind = event.kind;
    const payload = event.payload || {};
    if (kind.startsWith("alert.") && payload.alert_id) {
      const previous = this.alerts.get(payload.alert_id);
      this.putAlert({ ...normaliseAlert(payload), eventKind: kind, eventTime: event.time }, previous);
    } else if (kind.startsWith("message.") && payload.message_id) {
      if (payload.text !== undefined && kind === "message.received") {
        const known = this.messages.get(payload.message_id) || {};
        this.messages.set(payload.message_id, { ...known, ...payload, sent: known.sent || event.time });
      }
      this.refreshMessage(payload.message_id);
    } else if (kind.startsWith("line.") || kind === "agreement.set" || kind === "party.created") {
      this.reload(() => this.loadParties());
    } else if (kind.startsWith("notice.")) {
      this.reload(() => this.loadNotices());
    } else if (kind.startsWith("zone.")) {
      this.reload(() => this.loadZones());
    }
    this.changed();
  }

  // Read something again; a failure (the server going down) is the connection's to
  // report, and the next reconnection reads it all again.
  reload(load) {
    load()
      .then(() => this.changed())
      .catch(() => {});
  }

  putAlert(alert, previous = this.alerts.get(alert.alert_id)) {
    if (!previous) this.stats.alertShown.set(alert.alert_id, { raisedAt: alert.raised, shownAt: null });
    const merged = { ...previous, ...alert };
    merged.isNew = !previous || (previous.tier !== alert.tier && alert.tier === "warning");
    if (alert.state === "resolved" && !merged.resolvedShownAt) merged.resolvedShownAt = Date.now();
    this.alerts.set(alert.alert_id, merged);
  }

  dropOldResolved() {
    const now = Date.now();
    for (const [id, alert] of this.alerts) {
      if (alert.state === "resolved" && now - (alert.resolvedShownAt ?? now) > RESOLVED_SHOWN_MS) {
        this.alerts.delete(id);
      }
    }
  }

  // --- actions --------------------------------------------------------------------------

  async acknowledge(alertId) {
    const alert = await this.api.post(`/v1/alerts/${alertId}/ack`);
    this.putAlert(normaliseAlert(alert));
    this.changed();
  }

  async send(message) {
    const sent = await this.api.post(`/v1/messages?lang=${this.lang}`, message);
    for (const m of sent) this.messages.set(m.message_id, m);
    this.changed();
    return sent;
  }

  async markRead(id) {
    const message = await this.api.post(`/v1/messages/${id}/read?lang=${this.lang}`);
    this.messages.set(id, message);
    this.changed();
  }

  // --- questions ----------------------------------------------------------------------

  row(party, trackId) {
    return this.tracks.index.get(`${party}/${trackId}`);
  }

  // Alerts by urgency: loss of separation first, then the tier, then the time to loss.
  sortedAlerts() {
    const rank = { warning: 0, caution: 1, advisory: 2 };
    return [...this.alerts.values()].sort((a, b) => {
      const resolved = (a.state === "resolved") - (b.state === "resolved");
      if (resolved) return resolved;
      if (a.los !== b.los) return a.los ? -1 : 1;
      if (a.tier !== b.tier) return rank[a.tier] - rank[b.tier];
      return secondsToLoss(a, this.now()) - secondsToLoss(b, this.now());
    });
  }
}

function emptyPicture() {
  return {
    n: 0,
    time: 0,
    owner: [],
    track_id: [],
    callsign: [],
    lat: new Float64Array(),
    lon: new Float64Array(),
    alt_ft: new Float64Array(),
    gs_kt: new Float64Array(),
    track_deg: new Float64Array(),
    vrate_fpm: new Float64Array(),
    age_s: new Float64Array(),
    coasting: [],
    index: new Map(),
  };
}

// The alert API and the event payloads say the same things a little differently.
export function normaliseAlert(a) {
  const updatedMs = a.updated_us ? a.updated_us / 1000 : Date.parse(a.updated ?? a.raised);
  const raisedMs = a.raised_us ? a.raised_us / 1000 : Date.parse(a.raised);
  return {
    ...a,
    updatedMs,
    raisedMs,
    acknowledgements: (a.acknowledgements || []).map((k) => ({
      party: k.party,
      time_us: k.time_us ?? k.at_us ?? null,
    })),
  };
}

// Seconds from now to the loss of separation (or the entry into a notice) the alert
// predicts: its t_in counted from its own update, on the server's clock.
export function secondsToLoss(alert, nowMs) {
  if (alert.los) return 0;
  return Math.max(0, alert.updatedMs / 1000 + alert.t_in_s - nowMs / 1000);
}
