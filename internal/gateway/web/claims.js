// Researchflow web app: the follow-up thread under the report and the
// reader's verdict on each cited sentence (dispute or confirm). Loaded after
// app.js, whose helpers it uses (addSources, api, el, renderMarkdown,
// sameText, state, $).
// Untrusted text reaches the page only through textContent.
"use strict";

(function () {
  const report = $("report");
  const self = { rendered: null, polls: 0 };

  const thread = el("section", { id: "thread", class: "thread", hidden: "" },
    el("h3", {}, "Follow-ups"),
    el("ol", { id: "thread-list", class: "thread-list" }),
    el("form", { id: "followup-form", class: "row" },
      el("input", { id: "followup-question", type: "text", placeholder: "Ask a follow-up about this report", maxlength: "2000" }),
      el("button", { id: "followup-ask", type: "submit", class: "small" }, "Ask")),
    el("p", { id: "feedback-status", class: "muted", role: "status" }));
  report.after(thread);

  const base = (id) => "/v1/research/" + encodeURIComponent(id);
  const status = (msg) => { $("feedback-status").textContent = msg || ""; };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // POLL_MS is how often a pending answer or revision is asked for: well
  // under the gateway's default rate limit (60 a minute), with room for the
  // rest of the page.
  const POLL_MS = 2000;

  // The report is rendered by app.js (loadReport) or by us: decorate what
  // app.js renders; an emptied report hides the thread.
  new MutationObserver(() => {
    if (!report.children.length) { thread.hidden = true; status(""); return; }
    if (report.firstChild === self.rendered) return;
    decorate(state.id);
  }).observe(report, { childList: true });

  async function decorate(id) {
    try {
      const r = await api(base(id) + "/report", { headers: { Accept: "application/json" } });
      if (state.id !== id) return;
      markClaims(id, r.claims || []);
      report.dataset.revision = r.revision || 1;
      thread.hidden = false;
      loadThread(id);
    } catch (err) {
      status(err.message);
    }
  }

  // citedAfter says whether the text of node after offset is followed by
  // the sentence's citations ("… body [1]."): a claim is a cited sentence,
  // never an uncited copy of its words (a scheduled report's "What
  // changed" quotes the same finding without citing it). A sentence that
  // ends in code ends inside a code element: what follows that element
  // follows it.
  function citedAfter(node, offset, block) {
    if (!/^[\s\[]*$/.test(node.textContent.slice(offset))) return false;
    let from = node;
    while (!from.nextSibling && from.parentNode && from.parentNode !== block) from = from.parentNode;
    for (let n = from.nextSibling; n; n = n.nextSibling) {
      if (n.nodeType === 1) return n.classList.contains("cite");
      if (n.nodeType === 3 && !/^[\s\[]*$/.test(n.textContent)) return false;
    }
    return false;
  }

  // claimBodies are the texts a claim's sentence shows before its
  // citations: its code spans as the page shows them (without their
  // backticks), as listed ("… ./..." keeps its dots) and without its final
  // mark, which the report puts after the citations.
  function claimBodies(text) {
    const shown = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, f, c) => /^ .* $/.test(c) && c.trim() ? c.slice(1, -1) : c);
    const bare = shown.replace(/[.!?。！？]+$/, "");
    return bare === shown ? [shown] : [shown, bare];
  }

  // A scheduled report's "What changed since …" section quotes findings
  // as the report states them, citations and all: its entries are not
  // claims, they point to the claim they concern (linkChanges).
  const WHAT_CHANGED = /^What changed\b/;

  // sectionOf is the heading of the report's section that block stands in
  // (a section is a "## " heading, which the page shows as h3, and what
  // follows it), "" before the first.
  function sectionOf(block) {
    let top = block;
    while (top.parentNode && top.parentNode !== report) top = top.parentNode;
    for (let n = top.previousElementSibling; n; n = n.previousElementSibling) {
      if (n.tagName === "H3") return n.textContent.trim();
    }
    return "";
  }

  // claimBlocks are the paragraphs and list items a claim of section may
  // stand in: its section's first, then the others, never "What changed".
  function claimBlocks(section) {
    const blocks = [...report.querySelectorAll("p, li")].filter((b) => !WHAT_CHANGED.test(sectionOf(b)));
    const own = section ? blocks.filter((b) => sameText(sectionOf(b), section)) : [];
    return own.concat(blocks.filter((b) => !own.includes(b)));
  }

  // citedRange is the range of the first cited sentence of blocks that
  // shows body, across the text of its paragraph (code spans and a
  // definition's term are elements of their own), or null.
  function citedRange(body, blocks) {
    for (const block of blocks) {
      const nodes = [];
      let text = "";
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let n; (n = walker.nextNode());) { nodes.push({ n, at: text.length }); text += n.textContent; }
      const place = (offset, end) => {
        for (let i = 0; i < nodes.length; i++) {
          const { n, at } = nodes[i];
          if (end ? offset <= at + n.textContent.length && offset > at : offset < at + n.textContent.length) return { n, o: offset - at };
        }
        return null;
      };
      for (let at = text.indexOf(body); at >= 0; at = text.indexOf(body, at + 1)) {
        const start = place(at, false), end = place(at + body.length, true);
        if (!start || !end || !citedAfter(end.n, end.o, block) || start.n.parentNode.closest(".claim")) continue;
        const range = document.createRange();
        range.setStart(start.n, start.o);
        range.setEnd(end.n, end.o);
        // A sentence that starts or ends with code holds its whole code
        // element, not a copy of its text.
        let s = start.n;
        while (range.startOffset === 0 && s.parentNode !== block && s.parentNode.firstChild === s) { s = s.parentNode; range.setStartBefore(s); }
        let e = end.n;
        while (end.o === e.textContent.length && e.parentNode !== block && e.parentNode.lastChild === e) { e = e.parentNode; range.setEndAfter(e); }
        return range;
      }
    }
    return null;
  }

  // markClaims wraps each claim's sentence in span.claim (in its own
  // section where it is there) and puts a confirm and a dispute button
  // after its citations; then each "What changed" entry links to the
  // claims it concerns.
  function markClaims(id, claims) {
    claims.forEach((c, i) => {
      const blocks = claimBlocks(c.section);
      for (const body of claimBodies(c.text)) {
        const range = citedRange(body, blocks);
        if (!range) continue;
        const span = el("span", { class: "claim", id: c.id, "data-claim": c.id, title: "Claim " + (i + 1) });
        span.append(range.extractContents());
        range.insertNode(span);
        let end = span;
        while (end.nextSibling && ((end.nextSibling.nodeType === 1 && end.nextSibling.classList.contains("cite")) ||
          (end.nextSibling.nodeType === 3 && /^[\s\[\],]+$/.test(end.nextSibling.textContent)))) end = end.nextSibling;
        // The buttons, and the note or reason box under them, follow the
        // sentence's end mark.
        const mark = end.nextSibling && end.nextSibling.nodeType === 3 ? /^[.!?。！？]+/.exec(end.nextSibling.textContent) : null;
        if (mark) {
          if (end.nextSibling.textContent.length > mark[0].length) end.nextSibling.splitText(mark[0].length);
          end = end.nextSibling;
        }
        const confirm = el("button", { type: "button", class: "claim-confirm small secondary", "data-claim": c.id, title: "This is right" }, "Confirm");
        const dispute = el("button", { type: "button", class: "claim-dispute small danger", "data-claim": c.id, title: "Re-check this claim against the sources" }, "Dispute");
        const actions = el("span", { class: "claim-actions", "data-claim": c.id }, confirm, dispute);
        confirm.addEventListener("click", () => verdict(id, c, i + 1, "confirm", "", actions));
        dispute.addEventListener("click", () => askReason(id, c, i + 1, actions));
        // Small, so that the sentence stays readable (app.css is the
        // layout's; these buttons are set up here, through CSSOM, which
        // the page's Content-Security-Policy allows).
        for (const b of [confirm, dispute]) small(b);
        end.after(actions);
        break;
      }
    });
    linkChanges(claims);
  }

  // linkChanges ends each entry of the report's "What changed" section
  // that states a claim marked in the report (a new or changed finding as
  // the report states it, or a revision's correction) with a link to that
  // claim: the reader confirms or disputes it there.
  function linkChanges(claims) {
    const entries = [...report.querySelectorAll("li")].filter((li) => WHAT_CHANGED.test(sectionOf(li)));
    for (const li of entries) {
      claims.forEach((c, i) => {
        const span = report.querySelector('.claim[data-claim="' + c.id + '"]');
        if (!span || li.querySelector('.claim-link[data-claim="' + c.id + '"]')) return;
        if (!claimBodies(c.text).some((body) => li.textContent.includes(body))) return;
        const a = el("a", { class: "claim-link", href: "#" + c.id, "data-claim": c.id, title: "Confirm or dispute it where the report states it" }, "Claim " + (i + 1));
        a.addEventListener("click", (ev) => {
          ev.preventDefault();
          span.scrollIntoView({ block: "center" });
          const b = report.querySelector('.claim-actions[data-claim="' + c.id + '"] button');
          if (b) b.focus({ preventScroll: true });
        });
        li.append(" → ", a);
      });
    }
  }

  function small(node) {
    Object.assign(node.style, { fontSize: "0.7em", padding: "0 0.4em", marginLeft: "0.25em", lineHeight: "1.4" });
    return node;
  }

  // note shows msg next to the claim's buttons (after), replacing an
  // earlier one, and keeps it in view: the reader sees what their verdict did
  // where they gave it.
  function note(after, msg) {
    let p = after.nextSibling && after.nextSibling.classList && after.nextSibling.classList.contains("claim-note") ? after.nextSibling : null;
    if (!p) {
      p = el("span", { class: "claim-note muted", role: "status" });
      Object.assign(p.style, { display: "block", fontSize: "0.85em", margin: "0.25em 0" });
      after.after(p);
    }
    p.textContent = msg;
    p.scrollIntoView({ block: "nearest" });
    return p;
  }

  // askReason opens a small form after the claim's buttons: an optional
  // reason, then the dispute is sent (or cancelled).
  function askReason(id, claim, n, actions) {
    if (actions.querySelector("form")) { actions.querySelector("input").focus(); return; }
    const input = el("input", { type: "text", class: "claim-reason", maxlength: "2000", placeholder: "Why? (optional, e.g. the note says 40 days now)", "aria-label": "Reason for disputing claim " + n });
    const send = small(el("button", { type: "submit", class: "claim-send small danger" }, "Re-check"));
    const cancel = small(el("button", { type: "button", class: "claim-cancel small secondary" }, "Cancel"));
    const form = el("form", { class: "claim-reason-form" }, input, send, cancel);
    Object.assign(form.style, { display: "flex", gap: "0.25em", flexWrap: "wrap", margin: "0.25em 0" });
    Object.assign(input.style, { flex: "1 1 12em", minWidth: "0", fontSize: "0.85em" });
    cancel.addEventListener("click", () => form.remove());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const reason = input.value.trim();
      form.remove();
      verdict(id, claim, n, "dispute", reason, actions);
    });
    actions.append(form);
    input.focus();
  }

  // verdict posts the reader's verdict; a dispute waits for the revision
  // it writes and shows it, changelog included, next to the claim (or, when
  // the claim was withdrawn, at the top of the report).
  async function verdict(id, claim, n, v, reason, actions) {
    const body = { verdict: v };
    if (reason) body.reason = reason;
    try {
      const fb = await api(base(id) + "/claims/" + encodeURIComponent(claim.id) + "/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (v === "confirm") { note(actions, "Claim " + n + " confirmed. Thank you."); return; }
      note(actions, "Claim " + n + " disputed: re-checking it against the sources for revision " + fb.revision + "…");
      for (let i = 0; i < 120 && state.id === id; i++) {
        await sleep(POLL_MS);
        let r;
        try {
          r = await api(base(id) + "/report?revision=" + fb.revision, { headers: { Accept: "application/json" } });
        } catch (err) {
          if (err.status === 409 || err.status === 429) continue; // still being written, or asked too often
          throw err;
        }
        if (state.id !== id) return;
        renderReport(report, r.report, r.question);
        self.rendered = report.firstChild;
        report.dataset.revision = r.revision;
        const claims = r.claims || [];
        markClaims(id, claims);
        const log = r.changelog || [];
        let line = log.length ? log[log.length - 1] : "Revision " + r.revision + " is written.";
        // A run started by corpus name was checked against the stored
        // copy of its documents: the dispute says so, and how to check
        // files edited since (its check's "checked").
        try {
          const fl = await api(base(id) + "/feedback");
          const mine = (fl.reviews || []).find((x) => x.id === fb.id);
          const checked = mine && mine.result && mine.result.check && mine.result.check.checked;
          if (checked) line += " " + checked;
        } catch (err) { /* the line says the outcome all the same */ }
        // A kept or corrected claim keeps its place: its note follows it.
        const same = /corrected|kept/.test(line) && claims[n - 1] ? report.querySelector('.claim-actions[data-claim="' + claims[n - 1].id + '"]') : null;
        if (same) note(same, line);
        else {
          const top = el("p", { class: "claim-note muted", role: "status" }, line);
          report.prepend(top); // above the report (its title is the run's heading)
          top.scrollIntoView({ block: "nearest" });
        }
        status("");
        loadThread(id); // the answers written before this revision say so
        return;
      }
    } catch (err) {
      note(actions, err.message);
    }
  }

  async function loadThread(id) {
    try {
      const t = await api(base(id) + "/thread");
      if (state.id !== id) return false;
      const ol = $("thread-list");
      ol.replaceChildren();
      let pending = false;
      for (const f of t.followUps || []) {
        const li = el("li", { class: "followup", "data-id": f.id }, el("strong", {}, f.question));
        if (f.result) {
          // An answer written before a revision of the report may state a
          // claim a dispute corrected since: it says so over the answer.
          if (f.revisedSince && f.revisedSince.note) li.append(el("p", { class: "followup-revised", role: "note" }, f.revisedSince.note));
          const div = el("div", { class: "answer" });
          renderMarkdown(div, withoutSources(f.result.answer || ""));
          // The answer is titled with the question, which heads the item.
          const title = div.firstElementChild;
          if (title && /^H[1-6]$/.test(title.tagName) && title.textContent.trim() === f.question.trim()) title.remove();
          // The answer states its confidence as a report does ("Confidence:
          // low" and the low-confidence banner), first under the question.
          if (f.result.confidence) li.dataset.confidence = f.result.confidence;
          let lead = div.firstElementChild;
          while (lead && (lead.tagName === "BLOCKQUOTE" || (lead.tagName === "P" && /^Confidence:/.test(lead.textContent.trim())))) {
            if (lead.tagName === "P") lead.classList.add("followup-confidence");
            lead = lead.nextElementSibling;
          }
          // An answer of one section (its statements, headed "Summary" by
          // the report's rules) needs no heading under the question: it
          // summarizes nothing longer. With gaps or conflicts after it,
          // the headings tell the parts apart and stay.
          const headings = div.querySelectorAll("h1, h2, h3, h4, h5, h6");
          if (headings.length === 1 && headings[0] === lead) headings[0].remove();
          li.append(div);
          addSources(f.result.newSources || [], "first cited in the follow-up “" + f.question + "”");
        } else if (f.error) {
          li.append(el("p", { class: "error" }, f.error));
        } else {
          li.append(el("p", { class: "muted" }, "Answering…"));
          pending = true;
        }
        ol.append(li);
      }
      return !pending;
    } catch (err) {
      if (err.status === 429) return false; // asked too often: ask again later
      status(err.message);
      return true;
    }
  }

  $("followup-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = state.id, q = $("followup-question").value.trim();
    if (!id || !q) return;
    try {
      await api(base(id) + "/followups", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ question: q }),
      });
      $("followup-question").value = "";
      status("Asked: " + q);
      // The thread reads Temporal's visibility: the new follow-up shows
      // within a moment, its answer once written.
      for (let i = 0; i < 120 && state.id === id; i++) {
        await sleep(POLL_MS);
        const done = await loadThread(id);
        if (done && [...$("thread-list").children].some((li) => li.firstChild.textContent === q)) { status(""); return; }
      }
    } catch (err) {
      status(err.message);
    }
  });
})();
