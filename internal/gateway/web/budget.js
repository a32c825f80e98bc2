// Researchflow web app: the priced plan and budget pauses of a run. It
// uses app.js's helpers ($, el, api, show, setError, actionRefused); app.js calls
// rfBudget.render(progress, state) with every progress snapshot.
"use strict";

const rfBudget = (() => {
  const tokens = (u) => ((u && u.promptTokens) || 0) + ((u && u.completionTokens) || 0);
  const usd = (u) => "$" + (((u && u.costUsd) || 0).toFixed(4));
  const limits = (b) => !b ? "" : " (" + [b.maxTokens ? b.maxTokens + " tokens" : "", b.maxCostUsd ? "$" + b.maxCostUsd : ""].filter(Boolean).join(", ") + ")";
  const row = (cells, head) => el("tr", {}, ...cells.map((c) => el(head ? "th" : "td", {}, c)));

  const done = (status) => status === "completed" || status === "failed" || status === "cancelled";
  const sumUsage = (a, b) => ({ promptTokens: tokens(a) - tokens(b), completionTokens: 0, costUsd: ((a && a.costUsd) || 0) - ((b && b.costUsd) || 0) });

  // estimateTable shows the estimate per sub-question and reflection
  // round, planning and the report (so that the rows add up to the total),
  // the total, and what the run used beside it: "Used so far" while it
  // runs, "Used" once it is done (Progress.actual, counted the same way).
  function estimateTable(e, p, edited) {
    const t = el("table", { class: "estimate" });
    if (edited) t.setAttribute("data-edited", "");
    t.append(row(["", "searches", "passages", "model calls", "tokens", "cost"], true));
    let calls = 0, used = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
    for (const sq of e.subQuestions || []) {
      t.append(row([sq.text, sq.searches, sq.passages, sq.modelCalls, tokens(sq.usage), usd(sq.usage)]));
      calls += sq.modelCalls || 0;
      used = { promptTokens: tokens(used) + tokens(sq.usage), completionTokens: 0, costUsd: used.costUsd + ((sq.usage && sq.usage.costUsd) || 0) };
    }
    // The calls with no part of their own: planning (made already) and the report.
    const step = (name) => (e.steps || []).find((s) => s.step === name);
    const rest = (e.modelCalls || 0) - calls;
    const plan = step("plan"), write = step("write");
    if (rest === 2 && plan && write) {
      t.append(row(["Planning (done)", 0, 0, 1, tokens(plan.usage), usd(plan.usage)]));
      t.append(row(["Writing the report", 0, 0, 1, tokens(write.usage), usd(write.usage)]));
    } else if (rest > 0) {
      const u = sumUsage(e.usage, used);
      t.append(row(["Planning and the report", 0, 0, rest, tokens(u), usd(u)]));
    }
    t.append(row(["Estimate (" + (e.engine || "") + ")", e.searches, e.passages, e.modelCalls, tokens(e.usage), usd(e.usage)], true));
    const a = p.actual || { passages: p.passages || 0, usage: p.usage };
    const num = (n) => (p.actual ? n || 0 : "");
    t.append(row([done(p.status) ? "Used" : "Used so far", num(a.searches), a.passages || 0, num(a.modelCalls), tokens(a.usage), usd(a.usage)], true));
    return t;
  }

  function pauseBox(p, state) {
    const bp = p.budgetPause;
    const what = bp.step + (bp.id ? " " + bp.id : "");
    const box = el("div", { class: "approval budget-pause" },
      el("p", {}, "Paused before " + what + ": it needs about " + tokens(bp.usage) + " tokens (" + usd(bp.usage) +
        ") and the run has used " + tokens(p.usage) + " tokens (" + usd(p.usage) + ") of its budget" + limits(p.budget) +
        ". Unless you decide, it finishes with what it has at " + new Date(bp.until).toLocaleString() + "."));
    const tok = el("input", { type: "number", min: "1", id: "budget-tokens", placeholder: "new token limit" });
    const cost = el("input", { type: "number", min: "0", step: "0.01", id: "budget-cost", placeholder: "new limit in USD" });
    const extend = el("button", { type: "button", class: "small", id: "budget-extend" }, "Extend budget");
    const finish = el("button", { type: "button", class: "danger small", id: "budget-finish" }, "Finish now");
    const send = (path, body) => async () => {
      setError("budget-error", "");
      try {
        await api("/v1/research/" + encodeURIComponent(state.id) + path, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body()),
        });
      } catch (err) { actionRefused(state.id, err, "budget-error"); } // app.js
    };
    extend.addEventListener("click", send("/budget", () => {
      const b = {};
      if (tok.value) b.maxTokens = parseInt(tok.value, 10);
      if (cost.value) b.maxCostUsd = parseFloat(cost.value);
      return b;
    }));
    finish.addEventListener("click", send("/finish", () => ({})));
    box.append(tok, " ", cost, " ", extend, " ", finish, el("p", { id: "budget-error", class: "error", hidden: "" }));
    return box;
  }

  function render(p, state) {
    const box = $("budget-box");
    if (!box) return;
    box.replaceChildren();
    if (p.status === "awaiting_budget" && p.budgetPause) box.append(pauseBox(p, state));
    const pr = p.status === "awaiting_approval" ? state.pricing : null;
    if (pr) {
      // The plan as edited: its own price, or why it has none yet.
      box.append(el("h3", {}, "Priced plan (as edited)"));
      if (pr.estimate) box.append(el("div", { class: "estimate-wrap" }, estimateTable(pr.estimate, p, true)));
      else if (pr.error) box.append(el("p", { class: "error" }, "The edited plan could not be priced: " + pr.error));
      else box.append(el("p", { class: "muted" }, "Pricing the edited plan… Approve waits for its price."));
    } else if (p.estimate) {
      box.append(el("h3", {}, "Priced plan"), el("div", { class: "estimate-wrap" }, estimateTable(p.estimate, p)));
    }
    for (const s of p.skipped || []) box.append(el("p", { class: "muted" }, "Skipped (finished early): " + s));
    show("budget-box", box.childNodes.length > 0);
  }
  return { render };
})();
