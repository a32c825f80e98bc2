// Researchflow web app: plain DOM, no framework. Untrusted text (questions,
// reports, passages) only ever reaches the page through textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "researchflow.apiKey";

const state = { id: null, abort: null, lastSeq: -1, links: null, pageToken: "" };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = localStorage.getItem(KEY);
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

async function api(path, opts) {
  opts = opts || {};
  const res = await fetch(path, Object.assign({}, opts, { headers: headers(opts.headers) }));
  const type = res.headers.get("Content-Type") || "";
  const body = type.includes("application/json") ? await res.json() : await res.text();
  if (!res.ok) {
    const msg = body && body.error ? body.error.message : "request failed (" + res.status + ")";
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return body;
}

function show(id, on) { $(id).hidden = !on; }

function setError(id, msg) {
  $(id).textContent = msg || "";
  show(id, !!msg);
}

// ---- Markdown, rendered as DOM nodes -----------------------------------

// inline renders `code`, **bold**, *emphasis*, [text](url) links and [n]
// citations into parent, and undoes the report's escapes (\[, \*, &lt; …)
// so that text shows as written. Only http(s) URLs become links; any other
// target (file:// URLs of local sources, anything else) shows its text, with
// the target as a tooltip: for a file:// URL, the decoded path.
function inline(parent, text) {
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[((?:\\.|[^\]\\])+)\]\(([^\s)]+)\)|\[(\d+(?:\s*,\s*\d+)*)\]|\\([\\`*_{}\[\]()#+\-.!|~<>])|&(lt|gt|amp);/g;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[1] !== undefined) parent.append(el("code", {}, m[1]));
    else if (m[2] !== undefined) parent.append(el("strong", {}, m[2]));
    else if (m[3] !== undefined) parent.append(el("em", {}, m[3]));
    else if (m[4] !== undefined && /^https?:\/\//.test(m[5])) parent.append(el("a", { href: m[5], target: "_blank", rel: "noopener noreferrer" }, unescapeMarkdown(m[4])));
    else if (m[4] !== undefined) parent.append(el("span", { class: "location", title: linkTitle(m[5]) }, unescapeMarkdown(m[4])));
    else if (m[7] !== undefined) parent.append(m[7]);
    else if (m[8] !== undefined) parent.append(ENTITIES[m[8]]);
    else {
      const nums = m[6].split(",").map((s) => s.trim());
      parent.append("[");
      nums.forEach((n, i) => {
        if (i > 0) parent.append(", ");
        const a = el("a", { href: "#source-" + n, class: "cite", "data-n": n, title: "Open source " + n }, n);
        a.addEventListener("click", (ev) => { ev.preventDefault(); openSource(Number(n)); });
        parent.append(a);
      });
      parent.append("]");
    }
    last = re.lastIndex;
  }
  if (last < text.length) parent.append(text.slice(last));
}

const ENTITIES = { lt: "<", gt: ">", amp: "&" };

// unescapeMarkdown undoes backslash escapes and the entities the report writes.
function unescapeMarkdown(t) {
  return t.replace(/\\([\\`*_{}\[\]()#+\-.!|~<>])|&(lt|gt|amp);/g, (_, c, e) => c !== undefined ? c : ENTITIES[e]);
}

// linkTitle is the tooltip of a link that is not opened: the path of a
// file:// URL, percent-decoded; other targets as they are.
function linkTitle(href) {
  if (!href.startsWith("file:")) return href;
  try {
    return decodeURIComponent(new URL(href).pathname);
  } catch (e) {
    return href;
  }
}

function renderMarkdown(container, md) {
  container.replaceChildren();
  const lines = md.replace(/\r\n/g, "\n").split("\n");
  let list = null, para = [], code = null;
  const flush = () => {
    if (para.length) { const p = el("p"); inline(p, para.join(" ")); container.append(p); para = []; }
  };
  for (const line of lines) {
    if (code !== null) {
      if (line.startsWith("```")) { container.append(el("pre", {}, el("code", {}, code.join("\n")))); code = null; }
      else code.push(line);
      continue;
    }
    if (line.startsWith("```")) { flush(); list = null; code = []; continue; }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    const ul = /^\s*[-*+]\s+(.*)$/.exec(line);
    const ol = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (h) {
      flush(); list = null;
      const e = el("h" + Math.min(h[1].length + 1, 6));
      inline(e, h[2]);
      container.append(e);
    } else if (ul || ol) {
      flush();
      const tag = ul ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== tag) { list = el(tag); container.append(list); }
      const li = el("li");
      inline(li, (ul || ol)[1]);
      list.append(li);
    } else if (line.trim() === "") {
      flush(); list = null;
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  if (code !== null) container.append(el("pre", {}, el("code", {}, code.join("\n"))));
  flush();
}

// ---- A run -------------------------------------------------------------

function setStatus(status, stage) {
  const b = $("run-status");
  b.textContent = (status || "").replace("_", " ");
  b.className = "badge " + (status || "");
  $("run-stage").textContent = stage ? "Stage: " + stage : "";
  show("cancel", status === "running" || status === "awaiting_approval" || status === "awaiting_budget");
  show("approval-box", status === "awaiting_approval");
}

function renderProgress(p) {
  if (p.question) $("run-question").textContent = p.question;
  setStatus(p.status, p.stage);
  const ol = $("progress");
  ol.replaceChildren();
  for (const sq of p.subQuestions || []) {
    const detail = sq.passages || sq.findings ? " · " + sq.passages + " passages, " + sq.findings + " findings" : "";
    const li = el("li", { "data-state": sq.state }, sq.text, el("span", { class: "state " + sq.state }, sq.state + detail));
    if (sq.searches && sq.searches.length) {
      const srcs = el("div", { class: "searches muted" });
      for (const se of sq.searches) {
        const what = se.state === "failed" ? "failed after " + (se.attempts || 1) + " attempt(s)" : se.state === "searched" ? se.passages + " passages" : se.state;
        srcs.append(el("span", { class: "search " + se.state, title: se.error || se.note || "" }, se.source + ": " + what), " ");
      }
      li.append(srcs);
    }
    if (sq.error) li.append(el("div", { class: "error" }, sq.error));
    ol.append(li);
  }
  if (p.error) setError("run-error", p.error);
  renderDeadLetters(p);
  if (typeof rfBudget !== "undefined") rfBudget.render(p, state); // budget.js
}

// renderDeadLetters lists the searches that failed for good; a completed
// run with some can be redriven (its next revision retries only them).
function renderDeadLetters(p) {
  const dead = p.deadLetters || [];
  const ul = $("dead-letters");
  ul.replaceChildren();
  for (const d of dead) {
    ul.append(el("li", {}, el("strong", {}, d.provider), " · " + d.subQuestion + " · " + d.attempts + " attempt(s): ",
      el("span", { class: "error" }, d.lastError)));
  }
  show("dead-box", dead.length > 0);
  show("redrive", dead.length > 0 && p.status === "completed");
}

function openRun(id, links, question, traceId) {
  if (state.abort) state.abort.abort();
  state.id = id;
  state.links = links;
  state.lastSeq = -1;
  show("empty", false);
  show("run", true);
  show("source-panel", false);
  $("run-question").textContent = question || id;
  $("progress").replaceChildren();
  $("report").replaceChildren();
  renderDeadLetters({});
  $("why-body").replaceChildren();
  show("why", false);
  setError("run-error", "");
  const ui = $("run-ui");
  if (links && links.ui) { ui.href = links.ui; show("run-ui", true); } else show("run-ui", false);
  // The OpenTelemetry trace of the request that started the run, to look
  // up in a tracing backend (only known right after starting it).
  $("run-trace").textContent = traceId ? "trace " + traceId : "";
  show("run-trace", !!traceId);
  setStatus("running", "");
  follow(id);
}

// follow reads the run's event stream with fetch, so that the Authorization
// header can be sent, and reconnects with Last-Event-ID if it breaks.
async function follow(id) {
  const ctrl = new AbortController();
  state.abort = ctrl;
  for (let attempt = 0; attempt < 30 && state.id === id; attempt++) {
    try {
      const h = { Accept: "text/event-stream" };
      if (state.lastSeq >= 0) h["Last-Event-ID"] = String(state.lastSeq);
      const res = await fetch("/v1/research/" + encodeURIComponent(id) + "/events", { headers: headers(h), signal: ctrl.signal });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        setError("run-error", body && body.error ? body.error.message : "cannot follow the run (" + res.status + ")");
        return;
      }
      if (await readEvents(res.body, id)) return;
    } catch (err) {
      if (ctrl.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// readEvents parses a text/event-stream body; it reports whether the final
// event arrived.
async function readEvents(body, id) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buf += value.replace(/\r\n/g, "\n");
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = "message", data = "", evid = null;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const c = line.indexOf(":");
        const field = c < 0 ? line : line.slice(0, c);
        const val = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
        if (field === "event") event = val;
        else if (field === "data") data += (data ? "\n" : "") + val;
        else if (field === "id") evid = val;
      }
      if (!data || state.id !== id) continue;
      const msg = JSON.parse(data);
      if (evid !== null) state.lastSeq = Number(evid);
      if (event === "progress") renderProgress(msg);
      else if (event === "done") {
        setStatus("completed", "done");
        if (msg.result) renderDeadLetters({ status: "completed", deadLetters: msg.result.deadLetters });
        await loadReport(id); loadAudit(id); refreshRuns(); return true;
      }
      else if (event === "failed" || event === "cancelled") { setStatus(msg.status, ""); setError("run-error", msg.error); loadAudit(id); refreshRuns(); return true; }
      else if (event === "error") { setError("run-error", msg.error ? msg.error.message : "stream error"); return true; }
    }
  }
}

// loadAudit fills the "Why" panel from GET /v1/research/{id}/audit: per
// sub-question why it exists, what its search found, why each finding was
// kept (and its [n]) or why it is a gap; then the run's decisions.
async function loadAudit(id) {
  let a;
  try {
    a = await api("/v1/research/" + encodeURIComponent(id) + "/audit");
  } catch (err) {
    return; // the panel stays hidden: the report does not depend on it
  }
  if (state.id !== id) return;
  const body = $("why-body");
  body.replaceChildren();
  for (const sq of a.subQuestions || []) {
    const sec = el("section", { class: "why-sq" }, el("h4", {}, sq.text), el("p", { class: "muted" }, "Why: " + sq.why));
    if (sq.retrieval) {
      const ps = sq.retrieval.passages || [];
      const best = ps.length ? ps[0].score.toFixed(3) : "-";
      sec.append(el("p", { class: "muted" }, "Search “" + sq.retrieval.query + "”: " + ps.length + " passage(s), best score " + best));
    }
    if (sq.gap) sec.append(el("p", { class: "error" }, "Gap: " + sq.gap));
    const ul = el("ul", {});
    for (const f of sq.findings || []) {
      ul.append(el("li", {}, f.text + " ", el("span", { class: "muted" }, (f.cited ? "[" + f.cited + "] " : "") + f.why)));
    }
    if (ul.children.length) sec.append(ul);
    body.append(sec);
  }
  if ((a.decisions || []).length) {
    const ol = el("ol", {});
    for (const d of a.decisions) ol.append(el("li", {}, d.kind + (d.subQuestion ? " (" + d.subQuestion + ")" : "") + ": " + d.detail));
    body.append(el("h4", {}, "Decisions"), ol);
  }
  show("why", true);
}

async function loadReport(id) {
  try {
    const r = await api("/v1/research/" + encodeURIComponent(id) + "/report", { headers: { Accept: "application/json" } });
    if (state.id !== id) return;
    renderMarkdown($("report"), r.report || "");
    if (r.confidence) $("report").dataset.confidence = r.confidence; // the report states it too; low adds a banner
  } catch (err) {
    setError("run-error", err.message);
  }
}

async function openSource(n) {
  const id = state.id;
  try {
    const s = await api("/v1/research/" + encodeURIComponent(id) + "/sources/" + n);
    $("source-title").textContent = "[" + s.n + "] " + (s.title || "Untitled source");
    $("source-location").textContent = s.location || "";
    const box = $("source-passages");
    box.replaceChildren();
    if (!s.passagesAvailable) box.append(el("p", { class: "muted" }, "The passages are not available from this gateway."));
    for (const p of s.passages || []) {
      const div = el("div", { class: "passage" });
      if (p.section) div.append(el("span", { class: "section" }, p.section));
      div.append(p.text);
      box.append(div);
    }
    show("source-panel", true);
  } catch (err) {
    setError("run-error", err.message);
  }
}

async function selectRun(r) {
  openRun(r.id, r.links, r.question);
}

// ---- Past runs ---------------------------------------------------------

async function refreshRuns(append) {
  try {
    const q = append && state.pageToken ? "?pageToken=" + encodeURIComponent(state.pageToken) : "";
    const list = await api("/v1/research" + q);
    const ul = $("runs");
    if (!append) ul.replaceChildren();
    for (const r of list.runs || []) {
      const li = el("li", { title: r.id }, el("span", { class: "q" }, r.question || r.id), el("span", { class: "badge " + r.status }, r.status.replace("_", " ")));
      li.addEventListener("click", () => selectRun(r));
      ul.append(li);
    }
    if (!ul.children.length) ul.append(el("li", { class: "muted" }, "No runs yet."));
    state.pageToken = list.nextPageToken || "";
    show("more", !!state.pageToken);
  } catch (err) {
    const ul = $("runs");
    ul.replaceChildren(el("li", { class: "error" }, err.status === 401 ? "Enter your API key above." : err.message));
  }
}

// ---- Schedules ---------------------------------------------------------

// refreshSchedules lists the caller's schedules, each with what runs it and
// its buttons: run now, pause or resume, delete.
async function refreshSchedules() {
  const ul = $("schedules");
  try {
    const list = await api("/v1/schedules");
    ul.replaceChildren();
    for (const s of list.schedules || []) {
      const when = s.cron ? "cron " + s.cron : "every " + s.every;
      const status = s.paused ? "paused" + (s.note ? " (" + s.note + ")" : "") : "active";
      const act = (label, path, method, cls) => {
        const b = el("button", { type: "button", class: "small " + cls }, label);
        b.addEventListener("click", async (ev) => {
          ev.stopPropagation();
          setError("sched-error", "");
          try {
            const r = await api("/v1/schedules/" + encodeURIComponent(s.id) + path, { method: method });
            if (r && r.run && r.run.researchId) openRun(r.run.researchId, r.links, s.question);
          } catch (err) { setError("sched-error", err.message); }
          refreshSchedules();
          refreshRuns();
        });
        return b;
      };
      ul.append(el("li", { title: s.id },
        el("span", { class: "q" }, s.question),
        el("span", { class: "muted" }, when + " · notify " + s.notify.replace("_", " ") + " · " + status),
        act("Run now", "/trigger", "POST", ""),
        s.paused ? act("Resume", "/resume", "POST", "secondary") : act("Pause", "/pause", "POST", "secondary"),
        act("Delete", "", "DELETE", "danger")));
    }
    if (!ul.children.length) ul.append(el("li", { class: "muted" }, "No schedules."));
  } catch (err) {
    ul.replaceChildren(el("li", { class: err.status === 501 ? "muted" : "error" }, err.status === 401 ? "Enter your API key above." : err.message));
  }
}

// scheduleBody is the POST /v1/schedules body for the question and options
// of the ask form: a "when" with a space (or @daily …) is a cron.
function scheduleBody() {
  const when = $("sched-when").value.trim();
  const body = { question: $("question").value.trim(), corpus: $("corpus").value.trim() || "go-docs", notify: $("sched-notify").value };
  if (/\s/.test(when) || when.startsWith("@")) body.cron = when; else body.every = when;
  const sources = [...document.querySelectorAll('#sources input[name="source"]:checked')].map((i) => i.value);
  if (sources.length && !(sources.length === 1 && sources[0] === "corpus")) body.sources = sources;
  return body;
}

// ---- Wiring ------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = localStorage.getItem(KEY) || "";
  $("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const k = $("api-key").value.trim();
    if (k) localStorage.setItem(KEY, k); else localStorage.removeItem(KEY);
    refreshRuns();
    refreshSchedules();
  });
  $("ask").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    setError("form-error", "");
    const body = {
      question: $("question").value.trim(),
      corpus: $("corpus").value.trim() || "go-docs",
      maxSubQuestions: Number($("max-sub").value) || 4,
      maxSources: Number($("max-sources").value) || 6,
    };
    if ($("approval").checked) body.requireApproval = true;
    const sources = [...document.querySelectorAll('#sources input[name="source"]:checked')].map((i) => i.value);
    if (sources.length && !(sources.length === 1 && sources[0] === "corpus")) body.sources = sources;
    const btn = $("submit");
    btn.disabled = true;
    try {
      const r = await api("/v1/research", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) },
        body: JSON.stringify(body),
      });
      openRun(r.id, r.links, body.question, r.traceId);
      refreshRuns();
    } catch (err) {
      setError("form-error", err.message);
    } finally {
      btn.disabled = false;
    }
  });
  $("cancel").addEventListener("click", async () => {
    try { await api("/v1/research/" + encodeURIComponent(state.id) + "/cancel", { method: "POST" }); }
    catch (err) { setError("run-error", err.message); }
  });
  const approve = (ok) => async () => {
    try {
      await api("/v1/research/" + encodeURIComponent(state.id) + "/approve", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ approved: ok }),
      });
    } catch (err) { setError("run-error", err.message); }
  };
  $("approve").addEventListener("click", approve(true));
  $("reject").addEventListener("click", approve(false));
  $("redrive").addEventListener("click", async () => {
    try {
      const r = await api("/v1/research/" + encodeURIComponent(state.id) + "/redrive", { method: "POST" });
      openRun(r.id, r.links, $("run-question").textContent);
      refreshRuns();
    } catch (err) { setError("run-error", err.message); }
  });
  $("sched-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    setError("sched-error", "");
    try {
      await api("/v1/schedules", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(scheduleBody()) });
      refreshSchedules();
    } catch (err) { setError("sched-error", err.message); }
  });
  $("sched-refresh").addEventListener("click", () => refreshSchedules());
  $("refresh").addEventListener("click", () => refreshRuns());
  $("more").addEventListener("click", () => refreshRuns(true));
  $("source-close").addEventListener("click", () => show("source-panel", false));
  refreshRuns();
  refreshSchedules();
  loadSources();
});

// loadSources marks the sources the deployment has not configured: they
// stay visible but cannot be picked.
async function loadSources() {
  try {
    const r = await api("/v1/sources");
    for (const s of r.sources || []) {
      const box = document.querySelector('#sources input[value="' + s.name + '"]');
      if (!box) continue;
      box.disabled = !s.configured;
      if (!s.configured) { box.checked = false; box.parentElement.title = "not configured on the search workers"; box.parentElement.classList.add("off"); }
    }
  } catch (err) { /* the picker keeps every box */ }
}
