// The operator console: sign-in, then the map, the alerts and the hotline in one screen.
import { html, render } from "htm/preact";
import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import { AlertList } from "./alerts.js";
import { Api, ApiError, redeemSignIn } from "./api.js";
import { Hotline } from "./hotline.js";
import { LANGUAGE_NAMES, STRINGS, language, setLanguage, t } from "./i18n.js";
import { Live } from "./live.js";
import { ConsoleMap } from "./map.js";
import { Beeper } from "./sound.js";
import "./style.css";

const TOKEN = "airhotline.token";
const LANG = "airhotline.lang";

async function boot() {
  setLanguage(localStorage.getItem(LANG) || navigator.language?.slice(0, 2) || "en");
  const root = document.getElementById("app");
  // A one-time link: /#signin=CODE. The code leaves the address bar and the history at
  // once; the token it buys lives in this tab's session storage only.
  const match = /(?:^#|&)signin=([0-9A-Za-z_-]+)/.exec(location.hash);
  let notice = null;
  if (match) {
    history.replaceState(null, "", location.pathname);
    try {
      const { token } = await redeemSignIn(match[1]);
      sessionStorage.setItem(TOKEN, token);
      sessionStorage.removeItem("airhotline.lastEventId");
    } catch {
      notice = t("signin.used");
    }
  }
  const token = sessionStorage.getItem(TOKEN);
  if (token) {
    const api = new Api(token);
    try {
      const me = await api.get("/v1/me");
      if (!localStorage.getItem(LANG)) setLanguage(me.lang);
      render(html`<${Console} api=${api} me=${me} />`, root);
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        sessionStorage.removeItem(TOKEN);
        notice = t("signin.bad");
      } else {
        notice = t("error.server");
        setTimeout(boot, 3000);
      }
    }
  }
  render(html`<${SignIn} notice=${notice} />`, root);
}

function SignIn({ notice }) {
  const [error, setError] = useState(notice);
  const submit = async (event) => {
    event.preventDefault();
    const token = event.target.token.value.trim();
    try {
      await new Api(token).get("/v1/me");
      sessionStorage.setItem(TOKEN, token);
      boot();
    } catch {
      setError(t("signin.bad"));
    }
  };
  return html`<main class="signin">
    <h1>airhotline</h1>
    <form onSubmit=${submit}>
      <h2>${t("signin.title")}</h2>
      <label>${t("signin.token")} <input name="token" type="password" autocomplete="off" required /></label>
      <button type="submit">${t("signin.submit")}</button>
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    </form>
  </main>`;
}

function Console({ api, me }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const [live] = useState(() => {
    const stored = Number(sessionStorage.getItem("airhotline.lastEventId") || 0);
    // A reload resumes where this tab left off; a new sign-in starts from now.
    return new Live(api, { ...me, last_event_id: stored || me.last_event_id });
  });
  const [selectedAlert, setSelectedAlert] = useState(null);
  const [composing, setComposing] = useState(null);
  const [sound, setSound] = useState(() => localStorage.getItem("airhotline.sound") !== "off");
  const [help, setHelp] = useState(false);
  const [error, setError] = useState(null);
  const mapElement = useRef(null);
  const mapRef = useRef(null);
  const beeper = useRef(new Beeper());
  const warned = useRef(new Set());

  useEffect(() => {
    try {
      mapRef.current = new ConsoleMap(mapElement.current, live, { onSelect: redraw });
    } catch (failure) {
      setError(failure.message);
    }
    window.__hotline = { live, map: mapRef.current }; // for the browser tests and benchmark
    const off = live.onChange(() => redraw());
    live.start(language()).catch(() => live.setConnection("lost"));
    const tick = setInterval(redraw, 500); // countdowns and the clock
    return () => {
      off();
      clearInterval(tick);
      live.stop();
    };
  }, []);

  // A new warning: a sound (which may be silenced) and a cue (which may not).
  const unacked = live
    .sortedAlerts()
    .filter(
      (a) =>
        a.state === "active" &&
        a.tier === "warning" &&
        !(a.acknowledgements || []).some((k) => k.party === live.party),
    );
  useEffect(() => {
    for (const a of unacked) {
      if (!warned.current.has(a.alert_id)) {
        warned.current.add(a.alert_id);
        if (sound) beeper.current.warn();
      }
    }
    // When each alert first stood on the screen (the benchmark's latency).
    for (const a of live.alerts.values()) {
      const shown = live.stats.alertShown.get(a.alert_id);
      if (shown && shown.shownAt === null) shown.shownAt = performance.timeOrigin + performance.now();
    }
  });

  const acknowledge = async (id) => {
    try {
      await live.acknowledge(id);
    } catch (failure) {
      setError(failure.message);
      setTimeout(() => setError(null), 5000);
    }
  };
  const selectAlert = (id) => {
    setSelectedAlert(id);
    mapRef.current?.selectAlert(id);
  };

  useEffect(() => {
    const onKey = (e) => {
      const target = e.target;
      if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const map = mapRef.current;
      const alerts = live.sortedAlerts().filter((a) => a.state === "active");
      const at = alerts.findIndex((a) => a.alert_id === selectedAlert);
      const keys = {
        q: () => map.zoomBy(-1),
        "-": () => map.zoomBy(-1),
        e: () => map.zoomBy(1),
        "+": () => map.zoomBy(1),
        "=": () => map.zoomBy(1),
        w: () => map.panBy(0, -1),
        ArrowUp: () => map.panBy(0, -1),
        s: () => map.panBy(0, 1),
        ArrowDown: () => map.panBy(0, 1),
        a: () => map.panBy(-1, 0),
        ArrowLeft: () => map.panBy(-1, 0),
        d: () => map.panBy(1, 0),
        ArrowRight: () => map.panBy(1, 0),
        c: () => (map.select(null), selectAlert(null)),
        Escape: () => (map.select(null), selectAlert(null), setHelp(false)),
        f: () => map.toggleFollow(),
        h: () => map.home(),
        l: () => map.toggleLabels(),
        b: () => map.toggleDim(),
        g: () => (map.toggleRuler(), redraw()),
        j: () => alerts.length && selectAlert(alerts[(at + 1) % alerts.length].alert_id),
        k: () => alerts.length && selectAlert(alerts[(at - 1 + alerts.length) % alerts.length].alert_id),
        Enter: () => {
          const chosen = alerts[at >= 0 ? at : 0];
          if (chosen) acknowledge(chosen.alert_id);
        },
        m: () => toggleSound(),
        "?": () => setHelp(!help),
      };
      const action = keys[e.key];
      if (action && map) {
        e.preventDefault();
        action();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  });

  const toggleSound = () => {
    const next = !sound;
    setSound(next);
    localStorage.setItem("airhotline.sound", next ? "on" : "off");
    if (next) beeper.current.unlock();
  };
  const changeLanguage = async (lang) => {
    localStorage.setItem(LANG, lang);
    setLanguage(lang);
    redraw();
    try {
      await live.setLanguage(lang);
    } catch {
      // The server is away: the messages come in this language on reconnection.
    }
    redraw();
  };

  const own = live.tracks.owner.filter((p) => p === live.party).length;
  const connection = live.connection;
  const map = mapRef.current;
  return html`<div class=${`console ${unacked.length ? "warning-cue" : ""}`}>
    <header class="bar">
      <strong class="brand">airhotline</strong>
      <span class="party">${live.party}</span>
      <span class="utc" title=${t("clock.utc")}>${new Date(live.now()).toISOString().slice(11, 19)} UTC</span>
      <span class=${`conn conn-${connection}`} role="status">
        ${connection === "live" ? t("conn.live") : connection === "lost" ? t("conn.lost") : t("conn.connecting")}
      </span>
      ${live.caughtUp ? html`<span class="caught">${t("conn.resumed", { n: live.caughtUp })}</span>` : null}
      <span class="counts">${t("map.tracks", { own, other: live.tracks.n - own })}</span>
      <span class="spacer"></span>
      <button class=${map?.ruler ? "on" : ""} onClick=${() => (map?.toggleRuler(), redraw())}>
        ${t("map.ruler")} (G)
      </button>
      <button onClick=${() => (map?.toggleLabels(), redraw())}>${t("map.labels")} (L)</button>
      <button class="sound" onClick=${toggleSound}>${sound ? `🔊 ${t("sound.on")}` : `🔇 ${t("sound.off")}`}</button>
      <select class="lang" value=${language()} onChange=${(e) => changeLanguage(e.target.value)}>
        ${Object.keys(STRINGS).map((code) => html`<option value=${code}>${LANGUAGE_NAMES[code]}</option>`)}
      </select>
      <button onClick=${() => setHelp(!help)} title=${t("keys.title")}>?</button>
      <button
        onClick=${() => {
          sessionStorage.clear();
          location.reload();
        }}
      >
        ${t("signout")}
      </button>
    </header>
    ${help ? html`<div class="help" onClick=${() => setHelp(false)}>${t("keys.help")}</div>` : null}
    <main class="panes">
      <div class="map-wrap">
        <div class="map" ref=${mapElement}></div>
        <div class="banners">
          ${connection === "lost" ? html`<div class="banner lost" role="alert">${t("error.server")}</div>` : null}
          ${unacked.length
            ? html`<div class="banner warning" role="alert" onClick=${() => selectAlert(unacked[0].alert_id)}>
                ⚠ ${t("alerts.newWarning")}: ${unacked
                  .map((a) => a.tracks.map((k) => k.track_id).join(" ↔ "))
                  .join(", ")}
              </div>`
            : null}
          ${error ? html`<div class="banner lost" role="alert">${error}</div>` : null}
        </div>
        ${map?.ruler ? html`<div class="hint">${t("map.rulerHint")} ${map.rulerText ?? ""}</div>` : null}
      </div>
      <aside class="side">
        <section class="alerts-pane">
          <h2>${t("alerts.title")}</h2>
          <${AlertList} live=${live} selected=${selectedAlert} onSelect=${selectAlert} onAck=${acknowledge} />
        </section>
        <${Hotline} live=${live} composing=${composing} onAnswerWith=${setComposing} />
      </aside>
    </main>
  </div>`;
}

boot();
