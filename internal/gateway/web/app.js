// Researchflow web app: plain DOM, no framework. Untrusted text (questions,
// reports, passages) only ever reaches the page through textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "researchflow.apiKey";

const state = {
  id: null, abort: null, lastSeq: -1, links: null, pageToken: "",
  progress: null, report: null, sources: {}, runs: [], corpora: [], tick: null, planFor: null,
  pricing: null, // the plan as edited, priced before approval (see pricePlan)
  status: "", // the run's status as last told by the server
  stale: "", // why status updates are delayed ("" while they arrive; see setStale)
};

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

// A read answered 429 (the rate limit: a few reloads of a run's page spend
// its burst) is tried again after the server's Retry-After, up to
// apiRetries times and apiMaxWait seconds a wait; writes are not repeated.
const apiRetries = 3, apiMaxWait = 10;

async function api(path, opts) {
  opts = opts || {};
  const read = !opts.method || opts.method === "GET";
  let res;
  for (let i = 0; ; i++) {
    res = await fetch(path, Object.assign({}, opts, { headers: headers(opts.headers) }));
    if (res.status !== 429 || !read || i === apiRetries) break;
    const after = Number(res.headers.get("Retry-After"));
    const wait = Math.min(Number.isFinite(after) && after >= 0 ? after : 1, apiMaxWait);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
  const type = res.headers.get("Content-Type") || "";
  const body = type.includes("application/json") ? await res.json() : await res.text();
  if (!res.ok) {
    const e = body && body.error;
    let msg = e ? e.message : "request failed (" + res.status + ")";
    if (e && e.code === "corpus_not_found") {
      // The API's words point to GET /v1/corpora; the page says its own
      // picker, and reads the corpora again: the one named may have been
      // deleted in another tab.
      if (e.corpus) msg = corpusMessage(e.corpus, e.suggestion);
      recheckCorpora();
    }
    const err = new Error(msg);
    err.status = res.status;
    err.code = e ? e.code : "";
    // An upload's refusal names every file it refused, with why.
    err.files = (body && body.error && body.error.files) || [];
    err.retryAfter = res.headers.get("Retry-After");
    throw err;
  }
  return body;
}

// transient says whether a read that failed with status (undefined: no
// answer at all, the network) may succeed later: 408, 429 and 5xx.
function transient(status) { return status === undefined || status === 408 || status === 429 || status >= 500; }

// retryDelay is how many seconds to wait before reading again after a
// refused read: the server's Retry-After (seconds or an HTTP date) when it
// sent one, else 1, 2, 4 … up to 30 s by the failures so far.
function retryDelay(retryAfter, failures) {
  if (retryAfter) {
    const n = Number(retryAfter);
    if (Number.isFinite(n) && n >= 0) return Math.max(n, 1);
    const at = Date.parse(retryAfter);
    if (!isNaN(at)) return Math.max(Math.ceil((at - Date.now()) / 1000), 1);
  }
  return Math.min(2 ** failures, 30);
}

// delayedWhy says in a few words why a read was refused.
function delayedWhy(status, msg) {
  if (status === undefined) return "the server cannot be reached";
  if (status === 429) return "the server asks to wait (rate limited)";
  return "the server answered " + status + (msg ? " (" + msg + ")" : "");
}

function sleep(seconds, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, seconds * 1000);
    if (signal) signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

// count is n with its noun, singular for 1: "1 source", "2 sources"
// (many, when the plural is not one+"s": "1 retry", "3 retries").
function count(n, one, many) {
  n = n || 0;
  return n.toLocaleString() + " " + (n === 1 ? one : many || one + "s");
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
  // A code span opens and closes with runs of as many backticks, so that
  // "`` echo `date` ``" holds one; the space inside its fences is not code.
  // Bold and emphasis run over code spans (a "*" inside one is code, as in
  // "*Run `ls *.go` first (unverified)*") and render what they hold.
  const re = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*((?:`[^`]*`|[^*`])+)\*\*|\*((?:`[^`]*`|[^*\s`])(?:`[^`]*`|[^*`])*)\*|\[((?:\\.|[^\]\\])+)\]\(([^\s)]+)\)|\[(\d+(?:\s*,\s*\d+)*)\]|\\([\\`*_{}\[\]()#+\-.!|~<>])|&(lt|gt|amp);/g;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[2] !== undefined) parent.append(el("code", {}, /^ .* $/.test(m[2]) && m[2].trim() ? m[2].slice(1, -1) : m[2]));
    else if (m[3] !== undefined) { const b = el("strong"); inline(b, m[3]); parent.append(b); }
    else if (m[4] !== undefined) { const i = el("em"); inline(i, m[4]); parent.append(i); }
    else if (m[5] !== undefined && /^https?:\/\//.test(m[6])) parent.append(el("a", { href: m[6], target: "_blank", rel: "noopener noreferrer" }, unescapeMarkdown(m[5])));
    else if (m[5] !== undefined) parent.append(el("span", { class: "location", title: linkTitle(m[6]) }, unescapeMarkdown(m[5])));
    else if (m[8] !== undefined) parent.append(m[8]);
    else if (m[9] !== undefined) parent.append(ENTITIES[m[9]]);
    else {
      const nums = m[7].split(",").map((s) => s.trim());
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
  let list = null, quote = null, para = [], code = null;
  const flush = () => {
    if (!para.length) return;
    // A line ending in two spaces is a hard break (the report's footer).
    const p = el("p");
    para.join(" ").split("\n").forEach((part, i) => { if (i > 0) p.append(el("br")); inline(p, part.trim()); });
    container.append(p);
    para = [];
  };
  for (const line of lines) {
    if (code !== null) {
      if (line.startsWith("```")) { container.append(el("pre", {}, el("code", {}, code.join("\n")))); code = null; }
      else code.push(line);
      continue;
    }
    if (line.startsWith("```")) { flush(); list = null; quote = null; code = []; continue; }
    if (/^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/.test(line)) { flush(); list = null; quote = null; container.append(el("hr")); continue; }
    // A quoted line ("> The sources found do not clearly answer this
    // question.", the low-confidence banner): consecutive ones make one
    // blockquote.
    const bq = /^\s*>\s?(.*)$/.exec(line);
    if (bq) {
      flush(); list = null;
      if (!quote) { quote = el("p"); container.append(el("blockquote", {}, quote)); }
      else if (bq[1].trim()) quote.append(" ");
      inline(quote, bq[1].trim());
      continue;
    }
    quote = null;
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
      para.push(line.endsWith("  ") ? line.trim() + "\n" : line.trim());
    }
  }
  if (code !== null) container.append(el("pre", {}, el("code", {}, code.join("\n"))));
  flush();
}

// ---- Links to sources --------------------------------------------------

// fileName is how a reader knows a file: its name, never its folder on
// the server (an upload's name inside its corpus).
function fileName(loc) {
  let p = String(loc || "");
  if (p.startsWith("file:")) p = linkTitle(p);
  p = p.replace(/\\/g, "/");
  const up = /\/uploads\/[0-9a-f]{16}\/[A-Za-z0-9][A-Za-z0-9._-]*\/(.+)$/.exec(p);
  if (up) return up[1];
  return p.slice(p.lastIndexOf("/") + 1) || p;
}

// sourceLink is where a source opens: a web page by its URL, a document
// by the public address the API gives it (link: the Go documentation's
// go.dev page, as the report cites it), nothing for other files.
function sourceLink(s) {
  for (const u of [s.url, s.link, s.location]) if (/^https?:\/\//.test(u || "")) return u;
  return "";
}

// ---- A run -------------------------------------------------------------

const STAGES = [
  ["corpus", "Corpus"], ["plan", "Plan"], ["approval", "Approval"], ["search", "Search"],
  ["analyze", "Read"], ["reflect", "Reflect"], ["synthesize", "Write"], ["notify", "Notify"], ["done", "Done"],
];

function fmtDuration(ms) {
  if (!(ms >= 0)) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

function fmtDate(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return "";
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function setStatus(status, stage) {
  const b = $("run-status");
  b.textContent = (status || "").replace("_", " ");
  b.className = "badge " + (status || "") + (state.stale ? " stale" : "");
  state.status = status || "";
  show("approval-box", status === "awaiting_approval");
  if (state.progress) {
    state.progress.status = status;
    if (stage) state.progress.stage = stage;
  }
  guardActions();
  renderStepper();
}

// A run's status on screen is only as fresh as the last answer about it.
// setStale(msg) says that status updates are delayed and why (msg; ""
// once an answer came): until then the status shown may be out of date,
// so guardActions offers nothing that depends on the run still going.
function setStale(msg) {
  state.stale = msg || "";
  $("run-stale").textContent = state.stale;
  show("run-stale", !!state.stale);
  $("run-status").classList.toggle("stale", !!state.stale);
  $("run-status").title = state.stale ? "as last known: " + state.stale : "";
  guardActions();
}

// guardActions offers the actions of a run that still goes (Cancel, the
// plan's Approve and Reject, the budget's Extend and Finish now) only on a
// status the server has just told: never on a stale one, which may be a
// run that has finished since.
function guardActions() {
  const live = ["running", "awaiting_approval", "awaiting_budget"].includes(state.status);
  show("cancel", live && !state.stale);
  const p = state.pricing;
  $("approve").disabled = !!state.stale || (!!p && p.estimate === null && p.error === "");
  $("reject").disabled = !!state.stale;
  for (const b of $("budget-box").querySelectorAll("button")) b.disabled = !!state.stale;
}

// actionRefused shows why the server refused an action on run id, in the
// element errorId. A refusal because the run is no longer in that state
// (409: it finished, or was decided elsewhere) is said under the run, and
// the run's status is read again, so that the page stops offering what no
// longer applies.
async function actionRefused(id, err, errorId, msg) {
  if (err.status !== 409) {
    setError(errorId, msg || err.message);
    return;
  }
  setError("run-error", msg || "Refused: " + err.message + ".");
  try {
    const r = await api("/v1/research/" + encodeURIComponent(id));
    if (state.id !== id) return;
    if (r.progress) renderProgress(r.progress);
    else setStatus(r.status, "");
    if (["completed", "failed", "cancelled"].includes(r.status)) follow(id); // its final event: the report, the audit
  } catch (e) { /* the stream tells the status when it can */ }
}

// renderStepper shows the stages a run went through with the time each
// took (the current one counting), its retries and its tokens and cost
// when a model was used.
function renderStepper() {
  const p = state.progress;
  const ol = $("stepper");
  ol.replaceChildren();
  if (!p) { $("run-stats").textContent = ""; return; }
  const timings = {};
  const stageTokens = {}; // over every timing of a stage (rounds repeat stages)
  for (const t of p.timings || []) {
    timings[t.stage] = t;
    const u = t.usage || {};
    stageTokens[t.stage] = (stageTokens[t.stage] || 0) + (u.promptTokens || 0) + (u.completionTokens || 0);
  }
  const current = p.stage;
  const finished = ["completed", "failed", "cancelled"].includes(p.status);
  let reached = true;
  for (const [key, label] of STAGES) {
    const t = timings[key];
    if (key === "approval" && !t && current !== "approval") continue;
    if (key === "notify" && !t && current !== "notify") continue;
    if (key === "reflect" && !t && current !== "reflect") continue;
    let cls = "";
    if (key === current && !finished) cls = "current";
    else if (key === "done" && p.status === "completed") cls = "done";
    else if (t && t.endedAt && !String(t.endedAt).startsWith("0001")) cls = "done";
    else if (key === current && p.status === "failed") cls = "failed";
    else if (t) cls = finished ? "done" : "current";
    if (key === current) reached = false;
    const li = el("li", { class: cls, "data-stage": key }, label);
    if (t && key !== "done") {
      const end = t.endedAt && !String(t.endedAt).startsWith("0001") ? new Date(t.endedAt) : (finished ? new Date(p.updatedAt || Date.now()) : new Date());
      li.append(el("span", { class: "time" }, fmtDuration(end - new Date(t.startedAt))));
      if (stageTokens[key]) li.append(el("span", { class: "tokens" }, count(stageTokens[key], "token")));
    }
    ol.append(li);
  }
  void reached;
  // Retries: every search attempt after the first, and failed model calls.
  let retries = 0;
  for (const sq of p.subQuestions || []) for (const se of sq.searches || []) if (se.attempts > 1) retries += se.attempts - 1;
  const u = p.usage || {};
  retries += u.failedCalls || 0;
  const facts = [];
  if (p.startedAt && !String(p.startedAt).startsWith("0001")) {
    const end = finished ? new Date(p.updatedAt || Date.now()) : new Date();
    facts.push("elapsed " + fmtDuration(end - new Date(p.startedAt)));
  }
  facts.push(count(retries, "retry", "retries"));
  if (p.sources) facts.push(count(p.sources, "source") + " found");
  const tokens = (u.promptTokens || 0) + (u.completionTokens || 0);
  if (tokens) facts.push(count(tokens, "token"));
  if (u.costUsd) facts.push("$" + u.costUsd.toFixed(4));
  if (p.engine) facts.push("engine " + p.engine);
  $("run-stats").textContent = facts.join(" · ");
  if (p.status === "awaiting_approval" && p.approvalDeadline) {
    const by = new Date(p.approvalDeadline);
    const then = p.onApprovalTimeout === "cancel" ? "cancelled" : "approved as planned";
    const since = timings.approval ? "Waiting since " + fmtDate(new Date(timings.approval.startedAt)) + ". " : "";
    $("approval-deadline").textContent = since + "Unless it is answered, the run is " + then + " at " + fmtDate(by) + ".";
  } else {
    $("approval-deadline").textContent = "A plan left unanswered until the run's approval deadline is decided as the run was started to (approved as planned unless it says cancel).";
  }
}

function renderProgress(p) {
  state.progress = p;
  if (p.question) $("run-question").textContent = p.question;
  setStatus(p.status, p.stage);
  const ol = $("progress");
  ol.replaceChildren();
  const ended = ["completed", "failed", "cancelled"].includes(p.status);
  for (const sq of p.subQuestions || []) {
    const detail = sq.passages || sq.findings ? " · " + count(sq.passages, "passage") + ", " + count(sq.findings, "finding") : "";
    // A run that ended (a rejected plan, a cancellation) leaves what it did
    // not start "not run", not waiting.
    const shown = ended && sq.state === "pending" ? "not run" : sq.state;
    const li = el("li", { "data-state": sq.state }, sq.text, el("span", { class: "state " + shown.replace(" ", "-") }, shown + detail));
    if (sq.searches && sq.searches.length) {
      const srcs = el("div", { class: "searches muted" });
      for (const se of sq.searches) {
        const what = se.state === "failed" ? "failed after " + count(se.attempts || 1, "attempt") : se.state === "searched" ? count(se.passages, "passage") : se.state;
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
  guardActions();
  if (p.status === "awaiting_approval" && state.planFor !== state.id) {
    state.planFor = state.id; // once per run: later polls keep the reader's edits
    renderPlanEditor(p.subQuestions || []);
  }
}

// maxPlanItems is the most sub-questions an approval may set
// (researchflow.MaxSubQuestionsLimit).
const maxPlanItems = 6;

// renderPlanEditor shows the planned sub-questions as editable lines: each
// can be reworded or dropped, and one can be added; Approve sends the
// lines as they are then (the plan as planned when none was changed).
function renderPlanEditor(sqs) {
  const ol = $("plan-edit");
  ol.replaceChildren();
  state.pricing = null;
  for (const sq of sqs) addPlanLine(sq.text);
  updatePlanAdd();
}

function addPlanLine(text) {
  const ol = $("plan-edit");
  const input = el("input", { type: "text", class: "plan-line", maxlength: "2000", "aria-label": "Sub-question" });
  input.value = text || "";
  const drop = el("button", { type: "button", class: "secondary small plan-drop", title: "Drop this sub-question" }, "Drop");
  const li = el("li", {}, input, drop);
  drop.addEventListener("click", () => { li.remove(); updatePlanAdd(); schedulePricing(); });
  ol.append(li);
  updatePlanAdd();
  return input;
}

function updatePlanAdd() {
  $("plan-add").disabled = $("plan-edit").children.length >= maxPlanItems;
}

// planEdits returns the sub-questions to approve with, or null when the
// plan is kept as planned.
function planEdits() {
  const planned = ((state.progress && state.progress.subQuestions) || []).map((sq) => sq.text);
  const lines = [...$("plan-edit").querySelectorAll("input.plan-line")].map((i) => i.value.trim()).filter((t) => t !== "");
  if (lines.length === planned.length && lines.every((t, i) => t === planned[i])) return null;
  return lines;
}

// planLineError words an error about the edited plan by the editor's line
// numbers: the API names sub-questions by their index among the lines
// sent ("subQuestions[2]"), and blank lines are not sent.
function planLineError(msg) {
  const lines = [...$("plan-edit").querySelectorAll("input.plan-line")];
  const sent = [];
  lines.forEach((input, i) => { if (input.value.trim() !== "") sent.push(i + 1); });
  return String(msg).replace(/subQuestions\[(\d+)\]/g, (m, i) => (sent[Number(i)] ? "line " + sent[Number(i)] : m));
}

// An edited plan is priced before it can be approved: the run's own
// estimator prices the lines as they are (POST …/estimate) and the price
// table shows that price (budget.js reads state.pricing). pricing.key is
// the lines priced; estimate or error is the answer (neither: asked).
const planKey = (edits) => (edits === null ? "" : JSON.stringify(edits));
let pricingTimer = 0;

// schedulePricing prices the plan shortly after the reader stops typing;
// until then Approve waits.
function schedulePricing() {
  clearTimeout(pricingTimer);
  $("approve").disabled = true;
  pricingTimer = setTimeout(pricePlan, 400);
}

// pricePlan prices the lines as they are, unless they are priced (or
// being priced) already, and shows the price.
async function pricePlan() {
  clearTimeout(pricingTimer);
  const edits = planEdits();
  const key = planKey(edits);
  if (state.pricing && state.pricing.key === key) return showPricing();
  if (edits === null || edits.length === 0) {
    state.pricing = null; // the plan as planned: its own price is shown
    return showPricing();
  }
  const pricing = { key: key, id: state.id, estimate: null, error: "" };
  state.pricing = pricing;
  showPricing();
  try {
    const r = await api("/v1/research/" + encodeURIComponent(pricing.id) + "/estimate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ subQuestions: edits }),
    });
    pricing.estimate = r.estimate;
  } catch (err) { pricing.error = planLineError(err.message || "request failed"); }
  if (state.pricing === pricing) showPricing();
}

// pricedAsShown says whether the plan as it stands has its price on
// screen (or could not be priced, which the table says).
function pricedAsShown() {
  const edits = planEdits();
  if (edits === null) return true;
  const p = state.pricing;
  return !!p && p.key === planKey(edits) && (p.estimate !== null || p.error !== "");
}

function showPricing() {
  if (state.progress && typeof rfBudget !== "undefined") rfBudget.render(state.progress, state); // budget.js
  guardActions();
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

// runPath is the permalink of run id: the gateway serves the app there.
function runPath(id) { return "/runs/" + encodeURIComponent(id); }

// openRun shows run id and follows it. push says whether to record it in
// the browser's history (not when the page opens at its permalink or goes
// back to it).
function openRun(id, links, question, traceId, push) {
  if (state.abort) state.abort.abort();
  state.id = id;
  state.links = links;
  state.lastSeq = -1;
  state.progress = null;
  state.pricing = null;
  state.report = null;
  state.sources = {};
  if (push !== false && location.pathname !== runPath(id)) history.pushState({ id: id }, "", runPath(id));
  document.title = (question || id) + " · Researchflow";
  show("empty", false);
  show("run", true);
  show("source-panel", false);
  show("export", false);
  show("report-meta", false);
  $("source-list").replaceChildren();
  $("run-question").textContent = question || id;
  $("run-link").href = runPath(id);
  $("progress").replaceChildren();
  $("report").replaceChildren();
  renderDeadLetters({});
  $("why-body").replaceChildren();
  show("why", false);
  setError("run-error", "");
  const ui = $("run-ui");
  if (links && links.ui) { ui.href = links.ui; show("run-ui", true); } else show("run-ui", false);
  if (!links) describeRun(id);
  // The OpenTelemetry trace of the request that started the run, to look
  // up in a tracing backend (only known right after starting it).
  $("run-trace").textContent = traceId ? "trace " + traceId : "";
  show("run-trace", !!traceId);
  // Nothing is said of its status before the server does: a run opened
  // from a permalink may have finished long ago.
  setStale("");
  setStatus("", "");
  markCurrentRun();
  document.dispatchEvent(new CustomEvent("researchflow:run", { detail: { id: id } }));
  follow(id);
}

// askOn makes corpus the Ask box's corpus: a question asked from a run's
// page (a new one, or one of its follow-ups) is about the corpus that run
// researched, not the one picked before.
function askOn(corpus) {
  const sel = $("corpus");
  if (!corpus || sel.value === corpus) return;
  if (![...sel.options].some((o) => o.value === corpus)) sel.append(el("option", { value: corpus }, corpus));
  sel.value = corpus;
  corpusChanged();
}

// describeRun fills in what a permalink does not carry: the question, the
// corpus and the Temporal Web UI link.
async function describeRun(id) {
  try {
    const r = await api("/v1/research/" + encodeURIComponent(id));
    if (state.id !== id) return;
    if (r.question) { $("run-question").textContent = r.question; document.title = r.question + " · Researchflow"; }
    askOn(r.corpus);
    if (r.links && r.links.ui) { $("run-ui").href = r.links.ui; show("run-ui", true); }
  } catch (err) {
    if (state.id === id) setError("run-error", err.status === 404 ? "There is no run " + id + " (or it belongs to another API key)." : err.message);
  }
}

// closeRun goes back to the empty page (the app's root).
function closeRun() {
  if (state.abort) state.abort.abort();
  state.id = null;
  show("run", false);
  show("source-panel", false);
  show("empty", true);
  document.title = "Researchflow";
  markCurrentRun();
}

// follow reads the run's event stream with fetch, so that the Authorization
// header can be sent, and reconnects with Last-Event-ID if it breaks. A
// refused read (429, 5xx, no network) is waited out and tried again, after
// the server's Retry-After when it sends one, while the page says that
// status updates are delayed (setStale).
async function follow(id) {
  if (state.abort) state.abort.abort();
  const ctrl = new AbortController();
  state.abort = ctrl;
  for (let failures = 0; state.id === id && !ctrl.signal.aborted; failures++) {
    let status, retryAfter, msg = "";
    try {
      const h = { Accept: "text/event-stream" };
      if (state.lastSeq >= 0) h["Last-Event-ID"] = String(state.lastSeq);
      const res = await fetch("/v1/research/" + encodeURIComponent(id) + "/events", { headers: headers(h), signal: ctrl.signal });
      if (res.ok) {
        // The stream is open again: it sends every snapshot newer than the
        // last one shown, so what is shown is current until it does.
        if (state.stale && state.id === id) setStale("");
        const end = await readEvents(res.body, id);
        if (end === "final") return;
        if (end === "events") failures = 0; // it answered: a broken stream is tried again at once
        status = end === "unavailable" ? 503 : 0;
        msg = end === "unavailable" ? "the run's progress cannot be read" : "";
      } else {
        const body = await res.json().catch(() => null);
        status = res.status;
        retryAfter = res.headers.get("Retry-After");
        msg = body && body.error ? body.error.message : "";
        if (!transient(status)) {
          if (state.id !== id) return;
          setStale("");
          setError("run-error", msg || "cannot follow the run (" + status + ")");
          if (status === 404) setStatus("", "");
          return;
        }
      }
    } catch (err) {
      if (ctrl.signal.aborted) return;
      status = undefined; // no answer
    }
    if (state.id !== id) return;
    const wait = status === 0 ? 1 : retryDelay(retryAfter, failures);
    if (status !== 0) setStale("Status updates are delayed: " + delayedWhy(status, msg) + ". Trying again in " + wait + " s; what is shown may be out of date.");
    await sleep(wait, ctrl.signal);
  }
}

// readEvents parses a text/event-stream body; it says how the stream
// ended: "final" (the run's final event), "unavailable" (the server could
// not read the run's progress: an "error" event), "events" (it broke after
// some events) or "" (it broke before any).
async function readEvents(body, id) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "", got = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return got ? "events" : "";
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
      if (event === "error") return "unavailable"; // the status shown stays as it was, marked delayed by follow
      if (evid !== null) state.lastSeq = Number(evid);
      got = true;
      if (state.stale) setStale(""); // the server answers again: what follows is current
      if (event === "progress") renderProgress(msg);
      else if (event === "done") {
        setStatus("completed", "done");
        if (msg.result) renderDeadLetters({ status: "completed", deadLetters: msg.result.deadLetters });
        await loadReport(id); loadAudit(id); refreshRuns(); return "final";
      }
      else if (event === "failed" || event === "cancelled") { setStatus(msg.status, ""); setError("run-error", msg.error); loadAudit(id); refreshRuns(); return "final"; }
    }
  }
}

// loadAudit fills the "Why" panel from GET /v1/research/{id}/why: per
// sub-question why it was asked, the passages it read (source and quote)
// on one relevance scale, what it kept with its [n], and every gap with its
// cause (the audit API keeps the IDs).
async function loadAudit(id) {
  let a;
  try {
    a = await api("/v1/research/" + encodeURIComponent(id) + "/why");
  } catch (err) {
    return; // the panel stays hidden: the report does not depend on it
  }
  if (state.id !== id) return;
  const body = $("why-body");
  body.replaceChildren(el("p", { class: "muted" }, a.relevance));
  for (const sq of a.subQuestions || []) {
    const sec = el("section", { class: "why-sq" }, el("h4", {}, sq.text));
    if (sq.reason) sec.append(el("p", {}, el("strong", {}, "Why it was asked: "), sq.reason));
    if ((sq.passages || []).length) {
      const ul = el("ul", { class: "why-passages" });
      for (const p of sq.passages) {
        ul.append(el("li", {}, el("span", { class: "rel", title: "relevance, 0 to 100" }, String(p.relevance)), " ",
          el("strong", {}, p.source), " — “" + p.quote + "”"));
      }
      sec.append(el("p", { class: "muted" }, "Passages read:"), ul);
    }
    if ((sq.findings || []).length) {
      const ul = el("ul", {});
      for (const f of sq.findings) ul.append(el("li", {}, f.text + " ", el("span", { class: "muted" }, (f.cited ? "[" + f.cited + "] " : "") + (f.source || ""))));
      // A finished run that left them out (a low-confidence report
      // states no findings) did not use them: say so.
      sec.append(el("p", { class: "muted" }, sq.answered ? "Kept for the report:" : "Found, but not clear enough for the report:"), ul);
    }
    for (const g of sq.gaps || []) {
      const p = el("p", { class: "error" }, "Gap: " + g.reason);
      if (g.cause) p.append(el("span", { class: "cause muted" }, " (cause: " + g.cause + ")"));
      sec.append(p);
    }
    body.append(sec);
  }
  if ((a.decisions || []).length) {
    const ol = el("ol", {});
    for (const d of a.decisions) ol.append(el("li", {}, d.kind + ": " + d.detail));
    body.append(el("h4", {}, "Decisions"), ol);
  }
  show("why", true);
}

// withoutSources is the report's Markdown less its Sources section, which
// the page shows as a list of links whose passages open in place.
function withoutSources(md) {
  const lines = md.replace(/\r\n/g, "\n").split("\n");
  const out = [];
  let skipping = false;
  for (const line of lines) {
    if (/^##\s+Sources\s*$/.test(line)) { skipping = true; continue; }
    if (skipping && (/^#{1,2}\s/.test(line) || /^\s*-{3,}\s*$/.test(line))) skipping = false;
    if (!skipping) out.push(line);
  }
  return out.join("\n");
}

// sameText says whether two texts read the same, spacing aside.
function sameText(a, b) {
  const norm = (t) => String(t || "").replace(/\s+/g, " ").trim();
  return norm(a) !== "" && norm(a) === norm(b);
}

// renderReport renders a report's Markdown (its sources aside) under the
// run's heading, which states the question: the report's title is left
// out when it is that question, and so is a "Question:" line (a report
// with a title of its own states the question there), so that the page
// says the question once, in the same place on a desktop and a phone.
// Copy and the downloads keep the report whole.
function renderReport(container, md, question) {
  renderMarkdown(container, withoutSources(md || ""));
  // The question as the report states it, or as the heading does (a
  // permalink's heading shows the run's ID until the run is described).
  const isQuestion = (t) => sameText(t, question) || sameText(t, $("run-question").textContent);
  const first = container.firstElementChild;
  if (first && /^H[1-6]$/.test(first.tagName) && isQuestion(first.textContent)) first.remove();
  for (const p of [...container.children].slice(0, 3)) {
    const m = /^Question:\s*(.*)$/s.exec(p.tagName === "P" ? p.textContent : "");
    if (m && isQuestion(m[1])) p.remove();
  }
}

async function loadReport(id) {
  try {
    const r = await api("/v1/research/" + encodeURIComponent(id) + "/report", { headers: { Accept: "application/json" } });
    if (state.id !== id) return;
    state.report = r;
    askOn(r.corpus);
    renderReport($("report"), r.report, r.question);
    if (r.confidence) $("report").dataset.confidence = r.confidence; // the report states it too; low adds a banner
    renderSources(r);
    const facts = [];
    if (r.engine) facts.push("Engine " + r.engine);
    if (r.corpus) facts.push("corpus " + r.corpus);
    facts.push(count((r.sources || []).length, "source") + " cited");
    if (r.confidence) facts.push("confidence " + r.confidence);
    $("report-meta").textContent = facts.join(" · ");
    show("report-meta", true);
    show("export", true);
    document.dispatchEvent(new CustomEvent("researchflow:report", { detail: { id: id, report: r } }));
  } catch (err) {
    setError("run-error", err.message);
  }
}

// renderSources lists the report's sources.
function renderSources(r) {
  const ol = $("source-list");
  ol.replaceChildren();
  for (const s of r.sources || []) ol.append(sourceItem(s));
  show("source-panel", (r.sources || []).length > 0);
}

// sourceItem is the entry of source s in the sources list: a web page and
// the Go documentation as links, a file by its name; note says where a
// source the report does not cite was cited.
function sourceItem(s, note) {
  const li = el("li", { id: "source-" + s.n, value: String(s.n), "data-n": String(s.n) });
  const title = s.title || "Untitled source";
  const href = sourceLink(s);
  li.append(href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, title) : el("strong", {}, title));
  const where = href || /^https?:/.test(s.location || "") ? href : fileName(s.location);
  if (where && where !== title) li.append(el("span", { class: "where" }, where));
  if (note) li.append(el("span", { class: "where" }, note));
  li.append(el("div", { class: "passages" }));
  return li;
}

// addSources adds sources a follow-up answer cites first to the sources
// list, in number order. The gateway numbers a run's report and follow-ups
// as one ([n] is one source in every answer, and /sources/n resolves it),
// so a follow-up's citation opens its entry as the report's do.
function addSources(list, note) {
  const ol = $("source-list");
  for (const s of list) {
    if (document.getElementById("source-" + s.n)) continue;
    const next = [...ol.children].find((li) => Number(li.dataset.n) > s.n);
    ol.insertBefore(sourceItem(s, note), next || null);
  }
  if (list.length) show("source-panel", true);
}

// passageNodes renders a passage's text: runs of indented lines (code in
// Go documentation) monospaced, the rest as it is.
function passageNodes(text) {
  const out = [];
  let prose = [], code = [];
  const flushProse = () => { if (prose.length) { out.push(document.createTextNode(prose.join("\n"))); prose = []; } };
  const flushCode = () => { if (code.length) { out.push(el("pre", {}, el("code", {}, code.join("\n")))); code = []; } };
  for (const line of String(text).split("\n")) {
    if (/^(\t| {4})/.test(line)) { flushProse(); code.push(line.replace(/^(\t| {4})/, "")); }
    else { flushCode(); prose.push(line); }
  }
  flushProse(); flushCode();
  return out;
}

// openSource shows the passages the report quotes from source n in its
// entry of the sources list, highlighted, and scrolls to it.
async function openSource(n) {
  const id = state.id;
  const li = document.getElementById("source-" + n);
  try {
    let s = state.sources[n];
    if (!s) {
      s = await api("/v1/research/" + encodeURIComponent(id) + "/sources/" + n);
      state.sources[n] = s;
    }
    if (state.id !== id || !li) return;
    const box = li.querySelector(".passages");
    box.replaceChildren();
    if (!s.passagesAvailable) box.append(el("p", { class: "muted passages-note" }, "The passages are not shown: " + (s.reason || "this gateway has no access to them") + "."));
    for (const p of s.passages || []) {
      const div = el("div", { class: "passage" });
      if (p.section) div.append(el("span", { class: "section" }, p.section));
      const mark = el("mark", {});
      mark.append(...passageNodes(p.text));
      div.append(mark);
      box.append(div);
    }
    for (const other of document.querySelectorAll("#source-list > li.highlight")) other.classList.remove("highlight");
    li.classList.add("highlight");
    show("source-panel", true);
    li.scrollIntoView({ block: "start", behavior: "smooth" });
  } catch (err) {
    setError("run-error", err.message);
  }
}

// ---- Copy and download -------------------------------------------------

function reportFileName(ext) {
  return (state.id || "report").replace(/[^A-Za-z0-9._-]/g, "_") + "." + ext;
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// download fetches the report in a format (the gateway renders HTML and
// PDF from the same Markdown) and saves it.
async function download(format) {
  const id = state.id;
  $("export-note").textContent = "";
  try {
    if (format === "md") {
      saveBlob(new Blob([state.report ? state.report.report : ""], { type: "text/markdown" }), reportFileName("md"));
    } else {
      const accept = format === "pdf" ? "application/pdf" : "text/html";
      const res = await fetch("/v1/research/" + encodeURIComponent(id) + "/report", { headers: headers({ Accept: accept }) });
      if (!res.ok) throw new Error("download failed (" + res.status + ")");
      saveBlob(await res.blob(), reportFileName(format));
    }
    $("export-note").textContent = "Saved " + reportFileName(format);
  } catch (err) {
    $("export-note").textContent = err.message;
  }
}

async function copyReport() {
  const text = state.report ? state.report.report : "";
  try {
    await navigator.clipboard.writeText(text);
    $("export-note").textContent = "Copied as Markdown";
  } catch (err) {
    $("export-note").textContent = "The browser refused the clipboard: " + err.message;
  }
}

// ---- Past runs ---------------------------------------------------------

async function refreshRuns(append) {
  try {
    const q = append && state.pageToken ? "?pageToken=" + encodeURIComponent(state.pageToken) : "";
    const list = await api("/v1/research" + q);
    if (!append) state.runs = [];
    state.runs.push(...(list.runs || []));
    state.pageToken = list.nextPageToken || "";
    show("more", !!state.pageToken);
    renderRuns();
  } catch (err) {
    const ul = $("runs");
    ul.replaceChildren(el("li", { class: "error" }, err.status === 401 ? "Enter your API key above." : err.message));
  }
}

// renderRuns lists the loaded runs that match the search box: question,
// status, date, and for a finished run its engine, sources and confidence.
function renderRuns() {
  const ul = $("runs");
  ul.replaceChildren();
  const needle = $("runs-search").value.trim().toLowerCase();
  for (const r of state.runs) {
    if (needle && !(r.question || r.id).toLowerCase().includes(needle)) continue;
    const facts = el("span", { class: "facts", "data-id": r.id }, runFactsText(r));
    const del = el("button", { type: "button", class: "secondary del", title: "Delete this run", "aria-label": "Delete this run" }, "Delete");
    del.addEventListener("click", (ev) => { ev.stopPropagation(); deleteRun(r); });
    const li = el("li", { class: "run", title: r.id, "data-id": r.id },
      el("span", { class: "q" }, r.question || r.id), el("span", { class: "badge " + r.status }, r.status.replace("_", " ")), facts);
    if (r.status !== "running" && r.status !== "awaiting_approval") li.append(del);
    li.addEventListener("click", () => { openRun(r.id, r.links, r.question); askOn(r.corpus || (r.facts && r.facts.corpus)); });
    ul.append(li);
  }
  if (!ul.children.length) ul.append(el("li", { class: "muted" }, needle ? "No run matches." : "No runs yet."));
  markCurrentRun();
}

// runFactsText is a run's date and, for a finished run, the facts the list
// endpoint gives with it (one request for the page, not one per run).
function runFactsText(r) {
  const parts = [fmtDate(r.startedAt)];
  const f = r.facts;
  if (f) {
    if (f.engine) parts.push(f.engine);
    if (f.corpus) parts.push(f.corpus);
    parts.push(count(f.sources, "source"));
    if (f.confidence) parts.push(f.confidence + " confidence");
  }
  return parts.filter(Boolean).join(" · ");
}

function markCurrentRun() {
  for (const li of document.querySelectorAll("#runs li.run")) li.classList.toggle("current", li.dataset.id === state.id);
}

async function deleteRun(r) {
  if (!confirm("Delete the run “" + (r.question || r.id) + "” and its report?")) return;
  try {
    await api("/v1/research/" + encodeURIComponent(r.id), { method: "DELETE" });
    state.runs = state.runs.filter((x) => x.id !== r.id);
    renderRuns();
    if (state.id === r.id) { history.pushState({}, "", "/"); closeRun(); }
  } catch (err) {
    setError("form-error", err.message);
  }
}

// ---- Corpora and uploads -----------------------------------------------

// docTypes are the file types ingestion reads, and why any other file is
// not taken, in the API's words (a known document type with its hint): the
// gateway writes them into the page (#doc-types), read at the first upload.
// The gateway refuses a request with any other type, so a dropped folder is
// filtered first.
let docTypes = null;

// refusal says why a file is left out of an upload ("" when it is sent):
// as the API says it, or that it is hidden (a folder's own settings).
function refusal(name) {
  docTypes = docTypes || JSON.parse($("doc-types").textContent);
  const n = name.toLowerCase();
  if (n.startsWith(".")) return "a hidden file is not uploaded";
  const dot = n.lastIndexOf(".");
  const ext = dot > 0 ? n.slice(dot) : "";
  if (docTypes.read.includes(ext)) return "";
  return docTypes.notRead[ext] || docTypes.otherwise;
}

// corpusMessage is a run or schedule refused for its corpus (404
// corpus_not_found), in the page's words: the corpus meant when the name
// is a typo of one (the API's suggestion, the starter's too), the Corpus
// picker and the upload under Your documents.
function corpusMessage(name, suggestion) {
  const q = "“" + name + "”";
  if (suggestion) return "There is no corpus " + q + " with documents. Did you mean “" + suggestion + "”? Pick it in the Corpus list, or upload files to " + q + " under Your documents first.";
  return "There is no corpus " + q + " with documents: pick another in the Corpus list, or upload files to it under Your documents first.";
}

// recheckCorpora reads the caller's corpora again and, when one was added
// or deleted (or filled) elsewhere (another tab, the starter), refreshes the
// picker and the documents list: on focus, and when an action finds a
// corpus unknown.
// A check asked for while one is under way runs once that one ends, so
// that what changed in between is not missed.
let corporaChecking = false, corporaAgain = false;
async function recheckCorpora() {
  if (corporaChecking) {
    corporaAgain = true;
    return;
  }
  corporaChecking = true;
  try {
    do {
      corporaAgain = false;
      try {
        const r = await api("/v1/corpora");
        // A deleted corpus stays listed (its ingestions are kept) with no
        // passages: its count changes, and its documents are gone.
        const key = (list) => (list || []).map((c) => c.name + " " + c.chunks).join("\n");
        if (key(r.corpora) !== key(state.corpora)) await refreshCorpora();
      } catch (err) {
        // Not read now: the page keeps what it has.
      }
    } while (corporaAgain);
  } finally {
    corporaChecking = false;
  }
}

// refreshCorpora fills the Corpus picker with what GET /v1/corpora lists
// (starter corpora lists the same): the built-in go-docs first, the
// default, then the caller's corpora, newest first. go-docs is offered
// even when the list cannot be read: research on it needs no corpus of
// the caller's.
async function refreshCorpora(select) {
  try {
    const r = await api("/v1/corpora");
    state.corpora = r.corpora || [];
  } catch (err) {
    state.corpora = [];
    if (err.status !== 401) setError("corpus-error", err.message);
  }
  const sel = $("corpus");
  const keep = select || sel.value;
  const builtIn = state.corpora.find((c) => c.builtIn) || { name: "go-docs", builtIn: true };
  sel.replaceChildren();
  for (const c of [builtIn, ...state.corpora.filter((c) => !c.builtIn)]) {
    const n = c.chunks === undefined || (c.builtIn && !c.chunks) ? "" : " · " + count(c.chunks, "passage");
    sel.append(el("option", { value: c.name }, c.name + (c.builtIn ? " · the Go documentation" : "") + n));
  }
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  corpusChanged();
}

// corpusChanged lists the documents of the picked corpus (go-docs has none
// of the caller's) and makes it the target of the next upload.
async function corpusChanged() {
  const name = $("corpus").value;
  if (name === "go-docs") { show("corpus-docs", false); return; }
  $("upload-corpus").value = name;
  $("docs-title").textContent = name;
  const ul = $("documents");
  try {
    const r = await api("/v1/corpora/" + encodeURIComponent(name) + "/documents");
    ul.replaceChildren();
    for (const d of r.documents || []) {
      const del = el("button", { type: "button", class: "secondary small", "aria-label": "Remove " + d.name }, "Remove");
      del.addEventListener("click", async () => {
        try {
          await api("/v1/corpora/" + encodeURIComponent(name) + "/documents/" + encodeURIComponent(d.id), { method: "DELETE" });
          refreshCorpora(name);
        } catch (err) { setError("corpus-error", err.message); recheckCorpora(); }
      });
      // Replace: a file chosen here is sent under this document's name
      // with ?replace=true, so it becomes the document's new version
      // (without it, an upload of the same name is stored beside it).
      // Only an uploaded document has one: a document read from a folder
      // changes with its folder.
      let replace = "";
      if (d.uploaded && d.type && d.type !== "web") {
        const pick = el("input", { type: "file", hidden: "", class: "replace-file", accept: "." + d.type });
        pick.addEventListener("change", (ev) => { const files = [...ev.target.files]; ev.target.value = ""; if (files.length) upload(files.slice(0, 1), { corpus: name, name: d.name }); });
        replace = el("label", { class: "button secondary small", title: "Upload a new version of " + d.name }, "Replace", pick);
      }
      ul.append(el("li", {}, el("span", { class: "name" }, d.name),
        el("span", { class: "facts" }, (d.type || "file") + " · " + count(d.chunks, "passage") + " · " + fmtDate(d.ingestedAt)), el("span", { class: "doc-actions" }, replace, del)));
    }
    if (!ul.children.length) ul.append(el("li", { class: "muted" }, "Nothing ingested yet."));
    show("corpus-docs", true);
  } catch (err) {
    ul.replaceChildren(el("li", { class: "muted" }, err.message));
    show("corpus-docs", true);
  }
}

// filesOfDrop reads the files of a drop, folders included (recursively).
async function filesOfDrop(dt) {
  const entries = [...(dt.items || [])].map((it) => it.webkitGetAsEntry && it.webkitGetAsEntry()).filter(Boolean);
  if (!entries.length) return [...(dt.files || [])];
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      out.push(await new Promise((res, rej) => entry.file(res, rej)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

// upload sends files to the corpus named in the drop zone, then follows
// the ingestion until it is done and picks the corpus. With replacing
// ({corpus, name}: a listed document), the one file is sent to that corpus
// under the document's name with ?replace=true: it becomes the document's
// new version, in its place.
async function upload(files, replacing) {
  setError("corpus-error", "");
  // The input carries the contract's naming rule (its pattern and, in
  // words, its title), which the gateway writes into the page.
  const input = $("upload-corpus");
  if (replacing) input.value = replacing.corpus;
  const name = input.value.trim();
  input.value = name;
  if (!name || !input.checkValidity()) {
    setError("corpus-error", input.title + ".");
    return;
  }
  if (name === "go-docs") { setError("corpus-error", "go-docs is the public corpus; name a corpus of your own."); return; }
  const usable = files.filter((f) => !refusal(f.name));
  const skipped = files.filter((f) => refusal(f.name));
  const skippedList = $("upload-skipped");
  skippedList.replaceChildren(...skipped.slice(0, 20).map((f) => el("li", {}, (f.webkitRelativePath || f.name) + ": " + refusal(f.name))));
  show("upload-status", true);
  const bar = $("upload-progress");
  if (!usable.length) { $("upload-text").textContent = "No document to upload."; bar.value = 0; return; }
  $("upload-text").textContent = replacing ? "Replacing " + replacing.name + " in " + name + "…" : "Uploading " + count(usable.length, "file") + " to " + name + "…";
  bar.removeAttribute("value");
  const form = new FormData();
  for (const f of usable) form.append("files", f, replacing ? replacing.name : f.name);
  let up;
  try {
    up = await api("/v1/corpora/" + encodeURIComponent(name) + "/documents" + (replacing ? "?replace=true" : ""), { method: "POST", body: form });
  } catch (err) {
    // Every file the gateway refused is listed with why, under those left
    // out here, so that all can be fixed at once; the message names them
    // too, so it is said in short when they are listed.
    const refused = err.files || [];
    const listed = refused.length > 1 && err.status === 415;
    $("upload-text").textContent = "Upload refused: " + (listed ? count(refused.length, "file") + " refused (listed below), so nothing was stored" : err.message);
    if (listed) for (const f of refused) skippedList.append(el("li", {}, f.name + ": " + f.reason));
    bar.value = 0;
    return;
  }
  const notSent = [...skippedList.children];
  for (;;) {
    let g;
    try {
      g = await api("/v1/corpora/" + encodeURIComponent(name) + "/ingestions/" + encodeURIComponent(up.id));
    } catch (err) {
      $("upload-text").textContent = "Uploaded " + count(up.files.length, "file") + "; their progress cannot be read: " + err.message;
      break;
    }
    const total = g.total || up.files.length;
    bar.max = total || 1;
    bar.value = Math.min(g.seen, total);
    // The skipped are listed once each: those not sent, then those the
    // ingestion could not use (the list is read anew at every poll).
    skippedList.replaceChildren(...notSent, ...g.skipped.map((f) => el("li", {}, f.name + ": " + f.reason)));
    $("upload-text").textContent = (up.replaced && up.replaced.length ? "Replaced " + up.replaced.join(", ") + " · " : "") +
      uploadCounts(files.length, skipped.length, up.files.length, g, name) + (g.error ? " · " + g.error : "");
    if (g.done) break;
    await new Promise((r) => setTimeout(r, 400));
  }
  await refreshCorpora(name);
  const corpusBox = document.querySelector('#sources input[value="corpus"]');
  if (corpusBox) corpusBox.checked = true;
}

// uploadCounts says what became of the files chosen for an upload to
// corpus name, by the numbers of g, its ingestion (GET …/ingestions/{id}),
// so that they add up and agree with the API: chosen = stored + unchanged
// + skipped, where stored is g.ingested, unchanged g.unchanged and skipped
// those not sent (notSent, of a type not read) and g.skippedTotal. The
// ingestion reads the corpus's whole upload folder: its earlier files
// (g.total less the sent) are counted with the chosen, and said so.
function uploadCounts(chosen, notSent, sent, g, name) {
  const skipped = notSent + (g.skippedTotal || g.skipped.length);
  const earlier = Math.max((g.total || sent) - sent, 0);
  const parts = [count(g.ingested, "file stored", "files stored")];
  if (g.unchanged) parts.push(g.unchanged + " unchanged");
  if (skipped) parts.push(skipped + " skipped (listed below)");
  parts.push(count(g.chunks, "passage") + " written");
  const what = count(chosen, "file") + " chosen" + (earlier ? " and " + count(earlier, "earlier file") + " of " + name : "");
  if (!g.done) return "Ingesting " + g.seen + " of " + count(g.total || sent, "file") + " into " + name + " · " + parts.join(" · ");
  return "Ingested into " + name + ": " + what + " · " + parts.join(" · ");
}

// ---- Schedules ---------------------------------------------------------

// refreshSchedules lists the caller's schedules, each with what runs it
// (question, timing, corpus, notify, state), when it runs next, links to
// its latest runs, and its buttons: run now, pause or resume, delete.
async function refreshSchedules() {
  const ul = $("schedules");
  try {
    const list = await api("/v1/schedules");
    ul.replaceChildren();
    for (const s of list.schedules || []) {
      const act = (label, path, method, cls, ask) => {
        const b = el("button", { type: "button", class: "small " + cls }, label);
        b.addEventListener("click", async (ev) => {
          ev.stopPropagation();
          if (ask && !confirm(ask)) return;
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
      ul.append(el("li", { class: "schedule", title: s.id, "data-id": s.id },
        el("span", { class: "q" }, s.question),
        el("span", { class: "facts" }, scheduleFacts(s)),
        scheduleRuns(s),
        el("span", { class: "actions" },
          act("Run now", "/trigger", "POST", ""),
          s.paused ? act("Resume", "/resume", "POST", "secondary") : act("Pause", "/pause", "POST", "secondary"),
          act("Delete", "", "DELETE", "danger", "Delete the schedule “" + s.question + "”? Its runs and reports are kept."))));
    }
    if (!ul.children.length) ul.append(el("li", { class: "muted" }, "No schedules."));
  } catch (err) {
    ul.replaceChildren(el("li", { class: err.status === 501 ? "muted" : "error" }, err.status === 401 ? "Enter your API key above." : err.message));
  }
}

// scheduleFacts is a schedule's timing, corpus, notify mode, state (with
// its pause note) and next run, on one line.
function scheduleFacts(s) {
  const parts = [s.cron ? "cron " + s.cron : "every " + s.every, "corpus " + (s.corpus || "go-docs"), "notify " + s.notify.replace("_", " ")];
  if (s.paused) parts.push("paused" + (s.note ? ": " + s.note : ""));
  else parts.push("active", (s.nextRuns && s.nextRuns.length) ? "next " + fmtDate(s.nextRuns[0]) : "no next run");
  return parts.join(" · ");
}

// scheduleRuns links a schedule's latest runs (newest first; every run is
// in the Runs list too), or says it has none yet.
function scheduleRuns(s) {
  const runs = (s.recentRuns || []).slice(-3).reverse();
  const span = el("span", { class: "sched-runs" }, runs.length ? "Runs: " : "No runs yet.");
  runs.forEach((r, i) => {
    const a = el("a", { href: runPath(r.researchId), title: r.researchId }, fmtDate(r.scheduledAt || r.startedAt) || r.researchId);
    a.addEventListener("click", (ev) => { ev.preventDefault(); ev.stopPropagation(); openRun(r.researchId, null, s.question); });
    if (i) span.append(", ");
    span.append(a);
  });
  const more = (s.actions || 0) - runs.length;
  if (runs.length && more > 0) span.append(" and " + more + " earlier");
  return span;
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

// runFromPath is the run ID of a permalink (/runs/ID), or "".
function runFromPath() {
  const m = /^\/runs\/([^/]+)\/?$/.exec(location.pathname);
  if (!m) return "";
  try { return decodeURIComponent(m[1]); } catch (e) { return ""; }
}

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = localStorage.getItem(KEY) || "";
  $("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const k = $("api-key").value.trim();
    if (k) localStorage.setItem(KEY, k); else localStorage.removeItem(KEY);
    refreshRuns();
    refreshSchedules();
    refreshCorpora();
  });
  $("question").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $("ask").requestSubmit(); }
  });
  $("ask").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    setError("form-error", "");
    const body = {
      question: $("question").value.trim(),
      corpus: $("corpus").value.trim() || "go-docs",
      maxSubQuestions: Number($("max-sub").value) || 4,
      maxSources: Number($("max-sources").value) || 18,
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
    const id = state.id;
    setError("run-error", "");
    try {
      await api("/v1/research/" + encodeURIComponent(id) + "/cancel", { method: "POST" }); // the stream tells when it stopped
    } catch (err) {
      actionRefused(id, err, "run-error", err.status === 409 ? "Not cancelled: " + err.message + "." : err.message);
    }
  });
  const approve = (ok) => async () => {
    const body = { approved: ok };
    if (ok) {
      const edits = planEdits();
      if (edits !== null && edits.length === 0) {
        setError("run-error", "Keep at least one sub-question, or reject the plan.");
        return;
      }
      if (edits !== null && !pricedAsShown()) {
        // Priced first: the reader approves a price seen, so this click
        // shows the edited plan's price and the next one approves it.
        setError("run-error", "");
        pricePlan();
        return;
      }
      if (edits !== null) body.subQuestions = edits;
    }
    try {
      await api("/v1/research/" + encodeURIComponent(state.id) + "/approve", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
    } catch (err) { actionRefused(state.id, err, "run-error", body.subQuestions ? planLineError(err.message) : err.message); }
  };
  $("plan-add").addEventListener("click", () => addPlanLine("").focus());
  $("plan-edit").addEventListener("input", schedulePricing);
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
  $("runs-search").addEventListener("input", () => renderRuns());
  $("copy-md").addEventListener("click", copyReport);
  for (const b of document.querySelectorAll("#export button[data-format]")) b.addEventListener("click", () => download(b.dataset.format));

  // Corpora: the picker, the drop zone and the file and folder choosers.
  $("corpus").addEventListener("change", corpusChanged);
  $("corpora-refresh").addEventListener("click", () => refreshCorpora());
  // Back to the page: a corpus made or deleted meanwhile shows.
  window.addEventListener("focus", () => recheckCorpora());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") recheckCorpora(); });
  $("corpus-delete").addEventListener("click", async () => {
    const name = $("corpus").value;
    if (!confirm("Delete the corpus “" + name + "” and all its documents?")) return;
    try {
      await api("/v1/corpora/" + encodeURIComponent(name), { method: "DELETE" });
      refreshCorpora("go-docs");
    } catch (err) { setError("corpus-error", err.message); }
  });
  const zone = $("dropzone");
  zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    upload(await filesOfDrop(ev.dataTransfer));
  });
  for (const id of ["upload-files", "upload-folder"]) {
    $(id).addEventListener("change", (ev) => { const files = [...ev.target.files]; ev.target.value = ""; upload(files); });
  }

  // A run's permalink (/runs/ID) opens it, on load and on back/forward.
  window.addEventListener("popstate", () => {
    const id = runFromPath();
    if (id && id !== state.id) openRun(id, null, "", "", false);
    else if (!id) closeRun();
  });
  $("home").addEventListener("click", (ev) => { ev.preventDefault(); history.pushState({}, "", "/"); closeRun(); });
  $("copy-link").addEventListener("click", async () => {
    const b = $("copy-link");
    try {
      await navigator.clipboard.writeText(location.origin + runPath(state.id));
      b.textContent = "Link copied";
    } catch (err) {
      b.textContent = "Copy refused by the browser";
    }
    setTimeout(() => { b.textContent = "Copy link"; }, 2000);
  });
  const initial = runFromPath();
  if (initial) openRun(initial, null, "", "", false);
  // Elapsed times count while a run is open.
  state.tick = setInterval(() => { if (state.progress && !["completed", "failed", "cancelled"].includes(state.progress.status)) renderStepper(); }, 1000);

  refreshRuns();
  refreshSchedules();
  refreshCorpora();
  loadSources();
});

// loadSources marks the sources the deployment has not configured, and
// those this machine cannot reach (no internet), with the reason: they stay
// visible but cannot be picked.
async function loadSources() {
  try {
    const r = await api("/v1/sources");
    const off = [];
    for (const s of r.sources || []) {
      if (s.configured && s.available === false) off.push(s.name + ": " + (s.reason || "cannot be reached"));
      const box = document.querySelector('#sources input[value="' + s.name + '"]');
      if (!box) continue;
      const label = box.parentElement;
      const why = !s.configured ? "not configured on the search workers" : s.available === false ? "unavailable: " + (s.reason || "cannot be reached") : "";
      box.disabled = !!why;
      label.classList.toggle("off", !!why);
      label.title = why;
      const note = label.querySelector(".why-off");
      if (note) note.remove();
      if (why) {
        box.checked = false;
        if (s.configured) label.append(el("span", { class: "why-off" }, " (unavailable)"));
      }
    }
    $("sources-off").textContent = off.length ? "Unavailable from this machine: " + off.join("; ") + "." : "";
    show("sources-off", off.length > 0);
  } catch (err) { /* the picker keeps every box */ }
}
