// The live map: an offline Natural Earth basemap (Leaflet, canvas, no tile server), and
// every track drawn on one canvas of its own once per picture — never one DOM element
// per aircraft. Predictions (speed vectors, paths to the closest point of approach) are
// always dashed and hollow; reports are solid.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { flyOn, rangeBearing } from "./geodesy.js";
import { language, ltr, t } from "./i18n.js";

export const TIER_COLOURS = { advisory: "#4ea3ff", caution: "#ffb020", warning: "#ff3b30" };
const OWN_COLOUR = "#39d0ff";
const OTHER_COLOURS = ["#ffd166", "#c792ea", "#7ee787", "#ff9e64", "#f78fb3"];
const HOME = { center: [34.5, 32.5], zoom: 6 };
// Beyond this many tracks in view, trails and labels are kept for own, selected and
// alerted tracks only: a screen of 5 000 labels is no picture at all.
const BUSY = 600;
const PICK_PX = 14;
// The side of a track symbol's sprite, in CSS pixels.
const SPRITE = 18;
// A label's two lines of 11 px text.
const LABEL_HEIGHT = 24;
const LABEL_PLATE = "#0b1622";
// The declutter's grid cell (px): a label's box is looked up in the cells it spans.
const CELL = 32;

// The label boxes placed so far in a draw, bucketed by grid cell.
class LabelGrid {
  constructor() {
    this.cells = new Map();
  }

  *spanned(x, y, w, h) {
    for (let cx = Math.floor(x / CELL); cx <= Math.floor((x + w) / CELL); cx++)
      for (let cy = Math.floor(y / CELL); cy <= Math.floor((y + h) / CELL); cy++) yield `${cx},${cy}`;
  }

  free(x, y, w, h) {
    for (const cell of this.spanned(x, y, w, h)) {
      for (const [bx, by, bw, bh] of this.cells.get(cell) ?? [])
        if (x < bx + bw && bx < x + w && y < by + bh && by < y + h) return false;
    }
    return true;
  }

  // The first of ``places`` ([x, y] each) where a w × h box covers nothing placed.
  firstFree(places, w, h) {
    return places.find(([x, y]) => this.free(x, y, w, h));
  }

  add(x, y, w, h) {
    for (const cell of this.spanned(x, y, w, h)) {
      const boxes = this.cells.get(cell);
      if (boxes) boxes.push([x, y, w, h]);
      else this.cells.set(cell, [[x, y, w, h]]);
    }
  }
}

export class ConsoleMap {
  constructor(element, live, { onSelect } = {}) {
    this.live = live;
    this.onSelect = onSelect;
    this.selected = null; // "PARTY/TRACK"
    this.selectedAlert = null;
    this.labels = true;
    this.follow = false;
    this.ruler = null; // { points: [ {key}|{lat,lon} ], armed }
    this.frameMs = [];
    this.screen = { n: 0, x: new Float32Array(), y: new Float32Array(), rows: new Int32Array() };
    this.map = L.map(element, {
      center: HOME.center,
      zoom: HOME.zoom,
      minZoom: 2,
      maxZoom: 14,
      zoomSnap: 0.5,
      keyboard: false, // the console's own keys, as tar1090's users know them
      worldCopyJump: true,
      zoomAnimation: false,
      renderer: L.canvas({ padding: 0.3 }),
    });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Natural Earth");
    this.map.getContainer().classList.add("hotline-map");
    this.loadBasemap();
    this.noticeLayer = L.geoJSON(null, { style: noticeStyle, onEachFeature: noticeTooltip }).addTo(this.map);
    this.zoneLayer = L.geoJSON(null, { style: zoneStyle, onEachFeature: zoneTooltip }).addTo(this.map);
    this.canvas = document.createElement("canvas");
    this.canvas.className = "traffic";
    this.map.getContainer().appendChild(this.canvas);
    if (!this.canvas.getContext("2d")) throw new Error(t("error.canvas"));
    // Leaflet notices only a window's resize; the panel beside it can change too.
    new ResizeObserver(() => this.map.invalidateSize({ pan: false })).observe(element);
    const redraw = () => this.requestDraw();
    this.map.on("move zoom resize viewreset", redraw);
    this.map.on("click", (e) => this.click(e));
    live.onPicture(() => {
      if (this.follow) this.centreOnSelected();
      this.requestDraw();
    });
    live.onChange(() => this.refreshAreas());
    this.shownAlerts = "";
  }

  async loadBasemap() {
    const [land, borders] = await Promise.all(
      ["/basemap/land.json", "/basemap/borders.json"].map((u) => fetch(u).then((r) => r.json())),
    );
    const renderer = L.canvas({ padding: 0.5 });
    L.geoJSON(land, {
      interactive: false,
      renderer,
      style: { color: "#4b5a6a", weight: 1, fillColor: "#1d2833", fillOpacity: 1 },
    }).addTo(this.map).bringToBack();
    L.geoJSON(borders, {
      interactive: false,
      renderer,
      style: { color: "#5d6e80", weight: 0.8, dashArray: "3 3", fill: false },
    }).addTo(this.map);
    this.basemapLoaded = true;
  }

  refreshAreas() {
    const notices = this.live.notices;
    if (notices !== this.shownNotices) {
      this.shownNotices = notices;
      this.noticeLayer.clearLayers();
      this.noticeLayer.addData(notices);
    }
    const zones = this.live.zones;
    if (zones !== this.shownZones) {
      this.shownZones = zones;
      this.zoneLayer.clearLayers();
      for (const zone of zones) {
        if (zone.outline) this.zoneLayer.addData({ type: "Feature", geometry: zone.outline, properties: zone });
      }
    }
    // A message or a receipt changes nothing on the map: 5 000 tracks are redrawn only
    // when an alert's rings or prediction change (the picture redraws once a second).
    let alerts = "";
    for (const a of this.live.alerts.values()) alerts += `${a.alert_id}:${a.tier}:${a.state};`;
    if (alerts !== this.shownAlerts) {
      this.shownAlerts = alerts;
      this.requestDraw();
    }
  }

  // --- drawing ------------------------------------------------------------------------

  requestDraw() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  partyColour(party) {
    if (party === this.live.party) return OWN_COLOUR;
    const others = this.live.parties.map((p) => p.name).filter((n) => n !== this.live.party);
    const at = others.indexOf(party);
    return OTHER_COLOURS[(at < 0 ? others.length : at) % OTHER_COLOURS.length];
  }

  draw() {
    const started = performance.now();
    const map = this.map;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    if (canvas.width !== size.x * ratio || canvas.height !== size.y * ratio) {
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.style.width = `${size.x}px`;
      canvas.style.height = `${size.y}px`;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    // Text on the map runs left to right, anchored at its left, in every language: the
    // canvas would otherwise inherit the page's right-to-left and mirror data blocks.
    ctx.direction = "ltr";
    ctx.textAlign = "left";
    const tracks = this.live.tracks;
    const project = this.projector();
    // Screen positions of every track in view, once: drawing and picking share them.
    const n = tracks.n;
    const xs = new Float32Array(n);
    const ys = new Float32Array(n);
    const rows = new Int32Array(n);
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = project(tracks.lat[i], tracks.lon[i]);
      if (x < -40 || y < -40 || x > size.x + 40 || y > size.y + 40) continue;
      xs[shown] = x;
      ys[shown] = y;
      rows[shown] = i;
      shown++;
    }
    this.screen = { n: shown, x: xs, y: ys, rows };
    const busy = shown > BUSY;
    const involved = this.alertTracks();
    const own = this.live.party;
    const keyOf = (i) => `${tracks.owner[i]}/${tracks.track_id[i]}`;
    // The rows that keep labels and trails however busy: alerted and selected tracks.
    const kept = new Set();
    for (const key of involved.keys()) if (tracks.index.has(key)) kept.add(tracks.index.get(key));
    if (this.selected && tracks.index.has(this.selected)) kept.add(tracks.index.get(this.selected));
    // When busy, own tracks too: 2 500 own labels are a blue mass that hides the rest.
    const important = (i) => kept.has(i) || (!busy && tracks.owner[i] === own);
    // One colour per party, looked up once per draw, not once per track.
    const palette = new Map();
    const colourOf = (i) => {
      const party = tracks.owner[i];
      let colour = palette.get(party);
      if (colour === undefined) {
        colour = this.partyColour(party);
        palette.set(party, colour);
      }
      return colour;
    };

    // Trails: one stroke per colour.
    const trailsByColour = new Map();
    for (let k = 0; k < shown; k++) {
      const i = rows[k];
      if (busy && !important(i)) continue;
      const trail = this.live.trails.get(keyOf(i));
      if (!trail || trail.lat.length < 2) continue;
      const colour = colourOf(i);
      if (!trailsByColour.has(colour)) trailsByColour.set(colour, []);
      trailsByColour.get(colour).push(trail);
    }
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.45;
    for (const [colour, trails] of trailsByColour) {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      for (const trail of trails) {
        for (let j = 0; j < trail.lat.length; j++) {
          const [x, y] = project(trail.lat[j], trail.lon[j]);
          if (j === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        }
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;

    // Symbols: a chevron along the ground track, solid when live, hollow and faded when
    // coasting (its position is flown on from an old report).
    const live = new Map();
    const coasting = new Map();
    for (let k = 0; k < shown; k++) {
      const i = rows[k];
      const groups = tracks.coasting[i] ? coasting : live;
      const colour = colourOf(i);
      let members = groups.get(colour);
      if (members === undefined) {
        members = [];
        groups.set(colour, members);
      }
      members.push(k);
    }
    const groups = [
      ...[...live].map(([colour, members]) => [colour, members, false]),
      ...[...coasting].map(([colour, members]) => [colour, members, true]),
    ];
    // Each symbol is a sprite stamped with drawImage (one per colour, state and 10° of
    // heading, drawn once): 5 000 stamps cost a fraction of one path of 5 000 chevrons.
    for (const [colour, members, faded] of groups) {
      for (const k of members) {
        const sprite = this.sprite(colour, faded, tracks.track_deg[rows[k]]);
        // Whole pixels: a straight copy, not a resampled one.
        ctx.drawImage(sprite, Math.round(xs[k] - SPRITE / 2), Math.round(ys[k] - SPRITE / 2), SPRITE, SPRITE);
      }
    }

    // Labels: callsign (or track id), flight level with a climb/descent arrow, speed —
    // left to right in every language (a data block reads the same in Arabic), and
    // decluttered: alerted and selected tracks placed first, then own, then the rest,
    // each in the first of four places round its symbol that covers no label already
    // placed; one with no free place is left out (its symbol stays; L shows it alone).
    this.labelGrid = null;
    if (this.labels) {
      ctx.font = "11px 'DejaVu Sans Mono', monospace";
      ctx.textBaseline = "top";
      const charWidth = ctx.measureText("0").width;
      const order = [];
      for (let k = 0; k < shown; k++) {
        const i = rows[k];
        if (busy && !important(i)) continue;
        order.push(k);
      }
      const rank = (k) => (kept.has(rows[k]) ? 0 : tracks.owner[rows[k]] === own ? 1 : 2);
      order.sort((a, b) => rank(a) - rank(b));
      const placed = new LabelGrid();
      this.labelGrid = placed; // the CPA's caption keeps clear of them (drawAlertPrediction)
      this.labelled = []; // what this draw labelled where (the browser tests read it)
      // The symbols too, unless busy (then few are labelled): a label hides no aircraft.
      if (!busy) for (let k = 0; k < shown; k++) placed.add(xs[k] - 7, ys[k] - 7, 14, 14);
      for (const k of order) {
        const i = rows[k];
        const name = tracks.callsign[i] || tracks.track_id[i];
        const vr = tracks.vrate_fpm[i];
        const arrow = vr > 300 ? "↑" : vr < -300 ? "↓" : " ";
        const fl = String(Math.round(tracks.alt_ft[i] / 100)).padStart(3, "0");
        const second = `${fl}${arrow} ${Math.round(tracks.gs_kt[i])}`;
        const w = Math.max(name.length, second.length) * charWidth;
        const h = LABEL_HEIGHT;
        const x = xs[k];
        const y = ys[k];
        const places = [
          [x + 9, y - 12],
          [x - 9 - w, y - 12],
          [x + 9, y + 8],
          [x - 9 - w, y - h - 6],
        ];
        let at = placed.firstFree(places, w, h);
        if (at === undefined) {
          if (rank(k) > 0) continue;
          at = places[0]; // an alerted or selected track is always labelled
        }
        placed.add(at[0], at[1], w, h);
        this.labelled.push({ key: keyOf(i), box: [at[0], at[1], w, h] });
        // An alerted or selected track's label on a plate: readable over the thousands
        // of symbols of a busy sky.
        if (rank(k) === 0) plate(ctx, at[0] - 2, at[1] - 2, w + 4, h + 2);
        ctx.globalAlpha = tracks.coasting[i] ? 0.5 : 1;
        ctx.fillStyle = colourOf(i);
        ctx.fillText(name, at[0], at[1]);
        ctx.fillText(second, at[0], at[1] + 12);
      }
      ctx.globalAlpha = 1;
    }

    // Alert rings, in the tier's colour, around every track in an active alert: drawn
    // last, over the labels.
    for (const [key, tier] of involved) {
      const i = tracks.index.get(key);
      if (i === undefined) continue;
      const [x, y] = project(tracks.lat[i], tracks.lon[i]);
      ctx.strokeStyle = TIER_COLOURS[tier];
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 11, 0, 2 * Math.PI);
      ctx.stroke();
    }

    this.drawSelection(ctx, project);
    this.drawAlertPrediction(ctx, project);
    this.drawRuler(ctx, project);
    const spent = performance.now() - started;
    this.frameMs.push(spent);
    if (this.frameMs.length > 600) this.frameMs.shift();
    this.lastShown = shown;
  }

  sprite(colour, faded, trackDeg) {
    const step = Math.round((((trackDeg % 360) + 360) % 360) / 10) % 36;
    this.sprites ??= new Map();
    let set = this.sprites.get(colour);
    if (set === undefined) {
      set = [new Array(36), new Array(36)];
      this.sprites.set(colour, set);
    }
    const state = faded ? 1 : 0;
    let sprite = set[state][step];
    if (sprite === undefined) {
      sprite = drawnSprite(colour, faded, step * 10);
      set[state][step] = sprite;
    }
    return sprite;
  }

  // A function from degrees to container pixels, Web Mercator at the map's zoom: one
  // multiply-add per axis instead of Leaflet's object per point.
  projector() {
    const map = this.map;
    const zoom = map.getZoom();
    const scale = 256 * 2 ** zoom;
    const origin = map.getPixelBounds().min;
    const centreX = map.project(map.getCenter(), zoom).x;
    return (lat, lon) => {
      let x = (scale * (lon + 180)) / 360;
      // The world copy nearest the view's centre (across the antimeridian).
      if (x - centreX > scale / 2) x -= scale;
      else if (centreX - x > scale / 2) x += scale;
      const phi = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
      const y = scale * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI));
      return [x - origin.x, y - origin.y];
    };
  }

  alertTracks() {
    const found = new Map();
    for (const alert of this.live.alerts.values()) {
      if (alert.state !== "active") continue;
      for (const track of alert.tracks || []) {
        const key = `${track.party}/${track.track_id}`;
        const before = found.get(key);
        if (!before || rankOf(alert.tier) < rankOf(before)) found.set(key, alert.tier);
      }
    }
    return found;
  }

  drawSelection(ctx, project) {
    if (!this.selected) return;
    const i = this.live.tracks.index.get(this.selected);
    if (i === undefined) return;
    const tr = this.live.tracks;
    const [x, y] = project(tr.lat[i], tr.lon[i]);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x - 9, y - 9, 18, 18);
    // A 60-second speed vector: a prediction, so dashed.
    const ahead = flyOn(tr.lat[i], tr.lon[i], tr.track_deg[i], tr.gs_kt[i], 60);
    const [ax, ay] = project(ahead.lat, ahead.lon);
    predicted(ctx, x, y, ax, ay, [4, 4]);
  }

  // The selected alert: each aircraft's predicted path to the closest point of approach
  // (dashed), the CPA points (hollow) and the predicted miss distance between them.
  drawAlertPrediction(ctx, project) {
    const alert = this.selectedAlert && this.live.alerts.get(this.selectedAlert);
    if (!alert || alert.state !== "active") return;
    const tr = this.live.tracks;
    const elapsed = (this.live.now() - alert.updatedMs) / 1000;
    const tCpa = Math.max(0, alert.t_cpa_s - elapsed);
    const colour = TIER_COLOURS[alert.tier];
    const cpas = [];
    for (const track of alert.tracks || []) {
      const i = tr.index.get(`${track.party}/${track.track_id}`);
      if (i === undefined) continue;
      const at = flyOn(tr.lat[i], tr.lon[i], tr.track_deg[i], tr.gs_kt[i], tCpa);
      const [x0, y0] = project(tr.lat[i], tr.lon[i]);
      const [x1, y1] = project(at.lat, at.lon);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      predicted(ctx, x0, y0, x1, y1, [6, 5]);
      ctx.beginPath();
      ctx.arc(x1, y1, 6, 0, 2 * Math.PI);
      ctx.stroke();
      cpas.push([x1, y1]);
    }
    if (cpas.length === 0) return;
    const [cx, cy] = cpas[0];
    ctx.font = "bold 12px sans-serif";
    ctx.textBaseline = "bottom";
    const miss = `${t("map.cpa")} (${t("map.predicted")}) ${alert.dcpa_nm.toFixed(1)} NM`;
    // On a plate, like the alerted tracks' labels, in the first of four places round
    // the CPA that covers none of this draw's labels (the two aircraft's are near).
    const w = ctx.measureText(miss).width + 4;
    const places = [
      [cx + 8, cy - 23],
      [cx + 8, cy + 8],
      [cx - 8 - w, cy - 23],
      [cx - 8 - w, cy + 8],
    ];
    const [px, py] = this.labelGrid?.firstFree(places, w, 16) ?? places[0];
    plate(ctx, px, py, w, 16);
    ctx.fillStyle = colour;
    ctx.fillText(miss, px + 2, py + 15);
  }

  drawRuler(ctx, project) {
    if (!this.ruler) return;
    const ends = this.ruler.points.map((p) => this.pointOf(p)).filter(Boolean);
    if (ends.length === 0) return;
    const xy = ends.map((p) => project(p.lat, p.lon));
    ctx.strokeStyle = "#e6edf3";
    ctx.fillStyle = "#e6edf3";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(xy[0][0], xy[0][1], 4, 0, 2 * Math.PI);
    ctx.stroke();
    if (ends.length < 2) return;
    ctx.beginPath();
    ctx.moveTo(xy[0][0], xy[0][1]);
    ctx.lineTo(xy[1][0], xy[1][1]);
    ctx.stroke();
    const { nm, bearing } = rangeBearing(ends[0], ends[1]);
    const text = `${nm.toFixed(1)} NM  ${String(Math.round(bearing) % 360).padStart(3, "0")}°`;
    ctx.font = "bold 12px sans-serif";
    ctx.textBaseline = "bottom";
    ctx.fillText(text, (xy[0][0] + xy[1][0]) / 2 + 6, (xy[0][1] + xy[1][1]) / 2 - 4);
    this.rulerText = text;
  }

  pointOf(p) {
    if (p.key) {
      const i = this.live.tracks.index.get(p.key);
      return i === undefined ? null : { lat: this.live.tracks.lat[i], lon: this.live.tracks.lon[i] };
    }
    return p;
  }

  // --- interaction --------------------------------------------------------------------

  pick(containerPoint) {
    const s = this.screen;
    let best = -1;
    let bestD = PICK_PX * PICK_PX;
    for (let k = 0; k < s.n; k++) {
      const dx = s.x[k] - containerPoint.x;
      const dy = s.y[k] - containerPoint.y;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = s.rows[k];
      }
    }
    if (best < 0) return null;
    const tr = this.live.tracks;
    return `${tr.owner[best]}/${tr.track_id[best]}`;
  }

  click(e) {
    const key = this.pick(e.containerPoint);
    if (this.ruler?.armed) {
      const point = key ? { key } : { lat: e.latlng.lat, lon: e.latlng.lng };
      if (this.ruler.points.length >= 2) this.ruler.points = [];
      this.ruler.points.push(point);
      this.requestDraw();
      return;
    }
    this.select(key);
  }

  select(key) {
    this.selected = key;
    if (!key) this.follow = false;
    this.onSelect?.(key);
    this.requestDraw();
  }

  selectAlert(alertId) {
    this.selectedAlert = alertId;
    const alert = alertId && this.live.alerts.get(alertId);
    if (alert) {
      const points = (alert.tracks || [])
        .map((tk) => this.live.row(tk.party, tk.track_id))
        .filter((i) => i !== undefined)
        .map((i) => [this.live.tracks.lat[i], this.live.tracks.lon[i]]);
      if (points.length === 2) this.map.fitBounds(L.latLngBounds(points).pad(1.5), { maxZoom: 10 });
      else if (points.length === 1) this.map.panTo(points[0]);
    }
    this.requestDraw();
  }

  toggleRuler() {
    this.ruler = this.ruler ? null : { points: [], armed: true };
    this.requestDraw();
    return Boolean(this.ruler);
  }

  centreOnSelected() {
    const i = this.selected && this.live.tracks.index.get(this.selected);
    if (i === undefined || i === null || i === "") return;
    this.map.panTo([this.live.tracks.lat[i], this.live.tracks.lon[i]], { animate: false });
  }

  // tar1090's keys: Q/E zoom, W/A/S/D pan (half a screen), H home, L labels, F follow.
  zoomBy(step) {
    this.map.setZoom(this.map.getZoom() + step);
  }

  panBy(dx, dy) {
    const size = this.map.getSize();
    // East is right in every language: the map never mirrors.
    this.map.panBy([(dx * size.x) / 4, (dy * size.y) / 4], { animate: false });
    this.follow = false;
  }

  home() {
    this.map.setView(HOME.center, HOME.zoom, { animate: false });
  }

  toggleLabels() {
    this.labels = !this.labels;
    this.requestDraw();
  }

  toggleFollow() {
    this.follow = Boolean(this.selected) && !this.follow;
    if (this.follow) this.centreOnSelected();
  }

  toggleDim() {
    this.map.getContainer().classList.toggle("dim");
  }
}

// A predicted path: always dashed, never drawn like a report.
function predicted(ctx, x0, y0, x1, y1, dash) {
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  ctx.setLineDash([]);
}

function rankOf(tier) {
  return { warning: 0, caution: 1, advisory: 2 }[tier] ?? 3;
}

// A dark plate under text that must stay readable over traffic.
function plate(ctx, x, y, w, h) {
  ctx.globalAlpha = 0.85;
  ctx.fillStyle = LABEL_PLATE;
  ctx.fillRect(x, y, w, h);
  ctx.globalAlpha = 1;
}

// One symbol, drawn once: an ImageBitmap where the browser can make one at once (an
// immutable image: stamping it needs no snapshot of a canvas, as a canvas source does
// at every drawImage), else the canvas itself.
function drawnSprite(colour, faded, trackDeg) {
  const ratio = window.devicePixelRatio || 1;
  const side = SPRITE * ratio;
  const offscreen = typeof OffscreenCanvas === "function";
  const canvas = offscreen ? new OffscreenCanvas(side, side) : document.createElement("canvas");
  canvas.width = canvas.height = side;
  const c = canvas.getContext("2d");
  c.setTransform(ratio, 0, 0, ratio, 0, 0);
  c.beginPath();
  chevron(c, SPRITE / 2, SPRITE / 2, trackDeg);
  if (faded) {
    c.globalAlpha = 0.4;
    c.strokeStyle = colour;
    c.lineWidth = 1.2;
    c.stroke();
  } else {
    c.fillStyle = colour;
    c.fill();
  }
  return offscreen ? canvas.transferToImageBitmap() : canvas;
}

function chevron(ctx, x, y, trackDeg) {
  const a = (trackDeg * Math.PI) / 180;
  const s = Math.sin(a);
  const c = Math.cos(a);
  // Nose 7 px ahead, wings 5 px back and 5 px aside (screen y grows downwards).
  const pt = (fx, fy) => [x + fx * c - fy * s, y - (fx * s + fy * c)];
  const nose = pt(0, 7);
  const left = pt(-5, -5);
  const tail = pt(0, -2);
  const right = pt(5, -5);
  ctx.moveTo(nose[0], nose[1]);
  ctx.lineTo(left[0], left[1]);
  ctx.lineTo(tail[0], tail[1]);
  ctx.lineTo(right[0], right[1]);
  ctx.closePath();
}

const NOTICE_COLOURS = {
  "live-firing": "#ff5b5b",
  "missile-corridor": "#ff5b5b",
  "air-operations": "#ffb020",
  "uav-operations": "#c792ea",
  "aerial-refuelling": "#7ee787",
  parachuting: "#4ea3ff",
  drill: "#ffd166",
  other: "#aab4be",
};

function noticeStyle(feature) {
  const colour = NOTICE_COLOURS[feature.properties?.kind] ?? "#aab4be";
  return { color: colour, weight: 1.5, dashArray: "6 4", fillColor: colour, fillOpacity: 0.12 };
}

function zoneStyle() {
  return { color: "#7ee787", weight: 1.5, dashArray: "2 6", fill: false };
}

export function bandText(lower, upper) {
  return ltr(`${lower ?? "SFC"}–${upper ?? "UNL"}`);
}

function noticeTooltip(feature, layer) {
  const p = feature.properties || {};
  const window = p.window || {};
  const when = [window.start, window.end].filter(Boolean).map((s) => s.slice(11, 16)).join("–");
  const title = `${p.party ?? ""} ${p.kind ?? ""} ${p.notice_id ?? p.id ?? ""}`.trim();
  layer.bindTooltip(`${title}<br>${bandText(p.lower, p.upper)} ${when ? `${when} UTC` : ""}`, {
    sticky: true,
    direction: language() === "ar" || language() === "he" ? "left" : "right",
  });
}

function zoneTooltip(feature, layer) {
  const p = feature.properties || {};
  layer.bindTooltip(`${p.name ?? p.zone_id ?? ""} ${bandText(p.lower, p.upper)}`, { sticky: true });
}
