// Researchflow web app: the priced plan and budget pauses of a run. It
// uses app.js's helpers ($, el, api, show, setError); app.js calls
// rfBudget.render(progress, state) with every progress snapshot.
"use strict";

const rfBudget = (() => {
  const tokens = (u) => ((u && u.promptTokens) || 0) + ((u && u.completionTokens) || 0);
  const usd = (u) => "$" + (((u && u.costUsd) || 0).toFixed(4));
  const limits = (b) => !b ? "" : " (" + [b.maxTokens ? b.maxTokens + " tokens" : "", b.maxCostUsd ? "$" + b.maxCostUsd : ""].filter(Boolean).join(", ") + ")";
  const row = (cells, head) => el("tr", {}, ...cells.map((c) => el(head ? "th" : "td", {}, c)));

  // estimateTable shows the estimate per sub-question, its total, and the
  // use so far beside it.
  function estimateTable(e, p, edited) {
    const t = el("table", { class: "estimate" });
    if (edited) t.setAttribute("data-edited", "");
    t.append(row(["", "searches", "passages", "model calls", "tokens", "cost"], true));
    for (const sq of e.subQuestions || []) {
      t.append(row([sq.text, sq.searches, sq.passages, sq.modelCalls, tokens(sq.usage), usd(sq.usage)]));
    }
    t.append(row(["Estimate (" + (e.engine || "") + ")", e.searches, e.passages, e.modelCalls, tokens(e.usage), usd(e.usage)], true));
    t.append(row(["Used so far", "", p.passages || 0, "", tokens(p.usage), usd(p.usage)], true));
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
      } catch (err) { setError("budget-error", err.message); }
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
