// The hotline: a conversation per party (and the hotline's own messages), each message
// in the reader's language with the original on demand, its receipts and answer; the
// structured composer, whose fields are the catalogue's parameters and whose values the
// API checks (a refusal is shown at the field it names).
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { ltr, t } from "./i18n.js";

const SYSTEM = "\u0000hotline";
// What may answer a message of each response attribute (CPDLC).
const ANSWERS = {
  "W/U": ["wilco", "unable", "standby"],
  "A/N": ["affirm", "negative", "standby"],
  R: ["roger"],
  Y: ["roger", "standby"],
  N: [],
};
// The composer's first choices: what a duty officer sends most.
const FIRST_TYPES = [
  "request-intentions",
  "intentions",
  "traffic-information",
  "request-level-report",
  "level-report",
  "free-text",
];

function timeOf(iso) {
  return iso ? ltr(iso.slice(11, 19)) : "";
}

function conversationOf(message, me) {
  if (message.from === null || message.from === undefined) return SYSTEM;
  return message.from === me ? message.to : message.from;
}

export function Hotline({ live, onAnswerWith, composing }) {
  const parties = live.parties.filter((p) => p.name !== live.party);
  const [tab, setTab] = useState(parties[0]?.name ?? SYSTEM);
  const messages = [...live.messages.values()].sort((a, b) => (a.sent < b.sent ? -1 : 1));
  const unread = new Map();
  for (const m of messages) {
    if (m.to === live.party && !m.read && m.from) {
      unread.set(m.from, (unread.get(m.from) || 0) + 1);
    }
  }
  const shown = messages.filter((m) => conversationOf(m, live.party) === tab);
  // An operator looking at a conversation has read what it shows.
  useEffect(() => {
    for (const m of shown) {
      if (m.to === live.party && m.from && !m.read) live.markRead(m.message_id).catch(() => {});
    }
  });
  return html`<section class="hotline">
    <nav class="tabs" role="tablist">
      ${parties.map(
        (p) => html`<button
          role="tab"
          class=${`tab line-${p.line?.state ?? "unchecked"} ${tab === p.name ? "on" : ""}`}
          data-party=${p.name}
          onClick=${() => setTab(p.name)}
        >
          ${p.name}
          <small class="line">${t(`hotline.line.${p.line?.state ?? "unchecked"}`)}</small>
          ${unread.get(p.name) ? html`<b class="badge">${unread.get(p.name)}</b>` : null}
        </button>`,
      )}
      <button
        role="tab"
        class=${`tab ${tab === SYSTEM ? "on" : ""}`}
        data-party="hotline"
        onClick=${() => setTab(SYSTEM)}
      >
        ${t("hotline.system")}
      </button>
    </nav>
    <ol class="conversation">
      ${shown.length === 0 ? html`<li class="empty">${t("hotline.none")}</li>` : null}
      ${shown.map((m) => html`<${MessageItem} live=${live} message=${m} onAnswerWith=${onAnswerWith} />`)}
    </ol>
    <${Composer}
      live=${live}
      to=${tab === SYSTEM ? null : tab}
      replyTo=${composing}
      onDone=${() => onAnswerWith(null)}
    />
  </section>`;
}

function MessageItem({ live, message: m, onAnswerWith }) {
  const [original, setOriginal] = useState(false);
  const mine = m.from === live.party;
  const toMe = m.to === live.party;
  const answers = toMe && m.open && m.wants_answer ? ANSWERS[m.attribute] ?? [] : [];
  const responses = live.catalogue[0]?.responses ?? {};
  const translated = m.original && m.original.lang !== m.text_lang;
  const receipts = [];
  if (m.open) receipts.push(t("hotline.open"));
  if (mine && m.delivered) receipts.push(t("hotline.delivered"));
  if (mine && m.read) receipts.push(t("hotline.read"));
  if (m.answer) {
    // A response word (WILCO, ...) in the reader's language, or the type of the message
    // that answered (intentions to a request for intentions).
    const word = responses[m.answer]?.toUpperCase() ?? t(`type.${m.answer}`);
    receipts.push(t("hotline.answered", { a: word }));
  }
  return html`<li
    class=${`message ${mine ? "mine" : "theirs"} ${m.open ? "open" : ""}`}
    data-message=${m.message_id}
    data-type=${m.type}
  >
    <div class="meta">
      <span>${m.from ?? t("hotline.system")} → ${m.to}</span>
      <span>${timeOf(m.sent)} UTC</span>
    </div>
    <div class="text" lang=${m.text_lang}>${m.text}</div>
    ${translated
      ? html`<button class="link original-toggle" onClick=${() => setOriginal(!original)}>
          ${original ? t("hotline.hideOriginal") : t("hotline.original")} (${m.original.lang})
        </button>`
      : null}
    ${original && translated
      ? html`<div class="original" lang=${m.original.lang}>${m.original.text}</div>`
      : null}
    <div class="receipts">${receipts.join(" · ")}</div>
    ${answers.length || (toMe && m.open && m.attribute === "Y")
      ? html`<div class="answers">
          ${answers.map(
            (a) => html`<button
              class="answer"
              data-answer=${a}
              onClick=${() => live.send({ in_reply_to: m.message_id, response: a })}
            >
              ${(responses[a] ?? a).toUpperCase()}
            </button>`,
          )}
          ${m.attribute === "Y"
            ? html`<button class="answer with" onClick=${() => onAnswerWith(m)}>
                ${t("hotline.answerWith")}
              </button>`
            : null}
        </div>`
      : null}
  </li>`;
}

// What a reply to each asking type is, by default.
const REPLY_TYPE = { "request-intentions": "intentions", "request-level-report": "level-report" };

function Composer({ live, to, replyTo, onDone }) {
  const types = live.catalogue;
  const ordered = [
    ...FIRST_TYPES.map((id) => types.find((x) => x.type === id)).filter(Boolean),
    ...types.filter((x) => !FIRST_TYPES.includes(x.type)),
  ];
  const [typeId, setTypeId] = useState("request-intentions");
  const [formName, setFormName] = useState(null);
  const [values, setValues] = useState({});
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(false);
  useEffect(() => {
    if (replyTo) {
      setTypeId(REPLY_TYPE[replyTo.type] ?? "free-text");
      setFormName(null);
      setValues(replyTo.params?.track ? { track: replyTo.params.track } : {});
    }
  }, [replyTo?.message_id]);
  const type = types.find((x) => x.type === typeId) ?? ordered[0];
  if (!type) return null;
  const form = type.forms.find((f) => f.form === formName) ?? type.forms[0];
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    const params = {};
    for (const p of form.params) params[p.name] = valueOf(p, values[p.name], values);
    const body = { type: type.type, form: form.form, params };
    if (replyTo) body.in_reply_to = replyTo.message_id;
    else if (to) body.to = to;
    if (type.type === "free-text") body.lang = live.lang;
    try {
      await live.send(body);
      setValues({});
      setSent(true);
      setTimeout(() => setSent(false), 2000);
      onDone();
    } catch (refused) {
      // At its field the refusal needs no "params.level: " before it: the field says so.
      const prefix = refused.field ? `${refused.field}: ` : "";
      const text = prefix && refused.message.startsWith(prefix) ? refused.message.slice(prefix.length) : refused.message;
      setError({ field: refused.field, text });
    }
  };
  const fieldError = (name) =>
    error && error.field && (error.field === `params.${name}` || error.field.startsWith(`params.${name}.`))
      ? html`<span class="field-error" role="alert">${error.text}</span>`
      : null;
  return html`<form class="composer" onSubmit=${submit} novalidate>
    ${replyTo
      ? html`<div class="reply-to">
          ${t("hotline.replyTo", { text: replyTo.text })}
          <button type="button" class="link" onClick=${onDone}>${t("hotline.cancel")}</button>
        </div>`
      : null}
    <div class="row">
      <label>
        ${t("compose.type")}
        <select
          name="type"
          value=${type.type}
          onChange=${(e) => {
            setTypeId(e.target.value);
            setFormName(null);
            setValues({});
            setError(null);
          }}
        >
          ${ordered.map((x) => html`<option value=${x.type}>${t(`type.${x.type}`) || x.type}</option>`)}
        </select>
      </label>
      ${type.forms.length > 1
        ? html`<label>
            ${t("compose.form")}
            <select name="form" value=${form.form} onChange=${(e) => setFormName(e.target.value)}>
              ${type.forms.map((f) => html`<option value=${f.form}>${formLabel(f)}</option>`)}
            </select>
          </label>`
        : null}
    </div>
    ${form.template ? html`<div class="template" dir="auto">${preview(form, values)}</div>` : null}
    <div class="params">
      ${form.params.map(
        (p) => html`<label class="param">
          ${labelOf(p)}
          ${inputFor(live, type, p, values, (name, v) => setValues({ ...values, [name]: v }))}
          ${fieldError(p.name)}
        </label>`,
      )}
    </div>
    ${error && !(error.field || "").startsWith("params.")
      ? html`<div class="form-error" role="alert">${error.text}</div>`
      : null}
    <button type="submit" class="send">${sent ? `✓ ${t("compose.sent")}` : t("compose.send")}</button>
  </form>`;
}

// The message as it will read, filled in as the fields are typed, blanks as "…": never a
// raw "{track}" in front of the officer.
function preview(form, values) {
  return form.template.replace(/\{(\w+)\}/g, (_, name) => {
    const value = values[name] ?? (values[`${name}.lat`] ? `${values[`${name}.lat`]} ${values[`${name}.lon`] ?? ""}` : "");
    return String(value).trim() || "…";
  });
}

// A form is named by its own wording in the reader's language, its blanks as "…".
function formLabel(form) {
  return form.template ? preview(form, {}) : form.form;
}

function labelOf(param) {
  const key = `param.${param.kind === "text" && param.name === "text" ? "text" : param.kind}`;
  const known = t(key);
  return known === key ? param.name : known;
}

// The field for one parameter, by its kind: the API checks the value (the same rules for
// the console as for any client), the field only helps to type it.
function inputFor(live, type, param, values, set) {
  const value = values[param.name] ?? "";
  const on = (e) => set(param.name, e.target.value);
  switch (param.kind) {
    case "track": {
      // A message about the reader's aircraft names one of theirs; otherwise one's own.
      const tracks = live.tracks;
      const options = [];
      for (let i = 0; i < tracks.n; i++) {
        const ownTrack = tracks.owner[i] === live.party;
        if (type.about_reader ? !ownTrack : ownTrack) options.push(tracks.track_id[i]);
      }
      options.sort();
      return html`<input name=${param.name} list=${`tracks-${param.name}`} value=${value} onInput=${on} />
        <datalist id=${`tracks-${param.name}`}>${options.map((o) => html`<option value=${o} />`)}</datalist>`;
    }
    case "choice":
      return html`<select name=${param.name} value=${value} onChange=${on}>
        <option value="">${t("compose.pick")}</option>
        ${Object.entries(param.choices).map(([k, label]) => html`<option value=${k}>${label}</option>`)}
      </select>`;
    case "heading":
      return html`<input name=${param.name} type="number" min="1" max="360" step="1" value=${value} onInput=${on} />`;
    case "clock":
      return html`<input name=${param.name} type="number" min="1" max="12" step="1" value=${value} onInput=${on} />`;
    case "distance":
    case "speed":
    case "seconds":
    case "count":
    case "frequency":
      return html`<input name=${param.name} type="number" step="any" value=${value} onInput=${on} />`;
    case "time":
      return html`<input name=${param.name} type="datetime-local" value=${value} onInput=${on} />`;
    case "position":
      return html`<span class="pair">
        <input name=${`${param.name}.lat`} type="number" step="any" placeholder=${t("param.lat")}
          value=${values[`${param.name}.lat`] ?? ""} onInput=${(e) => set(`${param.name}.lat`, e.target.value)} />
        <input name=${`${param.name}.lon`} type="number" step="any" placeholder=${t("param.lon")}
          value=${values[`${param.name}.lon`] ?? ""} onInput=${(e) => set(`${param.name}.lon`, e.target.value)} />
      </span>`;
    case "text":
      return param.name === "text"
        ? html`<textarea name=${param.name} rows="3" value=${value} onInput=${on}></textarea>`
        : html`<input name=${param.name} value=${value} onInput=${on} />`;
    default:
      return html`<input name=${param.name} value=${value} onInput=${on} />`;
  }
}

// The JSON value the API wants for what was typed: numbers as numbers, a level as
// "FL350" or feet, a time as microseconds. Anything else goes as typed, for the API to
// refuse with its own words.
function valueOf(param, raw, values) {
  if (param.kind === "position") {
    const lat = values[`${param.name}.lat`];
    const lon = values[`${param.name}.lon`];
    if (lat === undefined && lon === undefined) return undefined;
    return [Number(lat), Number(lon)];
  }
  if (raw === undefined || raw === "") return undefined;
  switch (param.kind) {
    case "heading":
    case "clock":
    case "distance":
    case "speed":
    case "seconds":
    case "count":
    case "frequency":
      return Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case "level": {
      const text = String(raw).trim().toUpperCase();
      return /^\d+$/.test(text) ? Number(text) : text;
    }
    case "time":
    {
      // datetime-local gives "2026-12-02T16:30", read as UTC (the console's clock);
      // the API takes an instant as microseconds since 1970.
      const ms = Date.parse(`${raw}${raw.length === 16 ? ":00" : ""}Z`);
      return Number.isFinite(ms) ? ms * 1000 : raw;
    }
    default:
      return raw;
  }
}
