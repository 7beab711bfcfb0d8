// The document viewer: page image with hit boxes, OCR text, QA fix, split and merge, holds.

import { S, main, el, api, can, qs, flash, reloadWith, route, label, typeLabel, toggleRelease, gonePanel, say } from "./core.js";
import { nextInQueue } from "./ingest.js";

export async function viewDocument(id, params) {
  const q = params.get("q") || "";
  let d;
  try { d = await api("GET", "/documents/" + encodeURIComponent(id)); }
  catch (e) { main().replaceChildren(e.status === 410 ? gonePanel(e) : el("div", { class: "panel denied" }, e.message)); return; }
  const pageNo = parseInt(params.get("page") || (d.pages[0] ? d.pages[0].page_no : 1), 10);
  const flags = d.review_flags.map((f) => el("span", { class: "badge warn" }, label(f)));
  const ret = d.retention;
  const head = el("div", { class: "panel" },
    el("h1", {}, `${typeLabel(d.doc_type)} `, el("span", { class: "muted" }, `(${Math.round(d.doc_type_confidence * 100)}%)`)),
    el("div", {}, "Patient: ", d.patient.name || "unknown", " · MRN ", d.patient.mrn ? el("a", { href: `#/patient/${encodeURIComponent(d.patient.mrn)}` }, d.patient.mrn) : "-", " · DOB ", d.patient.dob || "-", " · Service ", d.service_date || "-"),
    el("div", { class: "meta muted" }, `Document ${d.doc_id} · ${d.pages.length} page${d.pages.length === 1 ? "" : "s"} · source ${d.source.path}`),
    ret ? el("div", {}, el("span", { class: "badge" + (ret.status === "on_hold" ? " warn" : "") , id: "retention-status" }, label(ret.status)), ` class ${ret.class}`, ret.eligible_on ? ` · eligible ${ret.eligible_on}` : "", ret.holds.length ? ` · holds ${ret.holds.join(", ")}` : "") : null,
    flags.length ? el("div", {}, "Needs review: ", flags) : null);
  const actions = el("div", { class: "actions" },
    el("a", { href: `/api/v1/documents/${encodeURIComponent(d.doc_id)}/pdf`, download: `${d.doc_id}.pdf`, class: "button secondary", id: "download-pdf" }, "Download this document (PDF)"),
    el("a", { href: `/api/v1/documents/${encodeURIComponent(d.doc_id)}/original`, download: "", class: "button secondary", id: "download-original" },
      d.source.other_documents_in_scan ? `Original scan file (also holds ${d.source.other_documents_in_scan} other document${d.source.other_documents_in_scan === 1 ? "" : "s"})` : "Original scan file"),
    can("release") ? el("button", { class: "secondary", id: "add-release", onclick: () => { toggleRelease(d.doc_id, { doc_type: d.doc_type, service_date: d.service_date, name: d.patient.name, mrn: d.patient.mrn }); route(); } }, S.release.includes(d.doc_id) ? "Remove from release" : "Add to release") : null);
  if (params.get("qa") && can("ingest")) {
    actions.append(el("button", { type: "button", id: "qa-next", onclick: async () => {
      const next = await nextInQueue(d.doc_id);
      if (next) location.hash = `#/doc/${encodeURIComponent(next)}?qa=1`;
      else { S.next = "The QA queue is empty."; location.hash = "#/ingest"; }
    } }, "Next in QA queue"), el("a", { href: "#/ingest", class: "button secondary" }, "Back to the QA queue"));
  }
  const undo = undoButton(d);
  if (undo) actions.append(undo);
  head.append(actions);
  const tools = [];
  if (can("ingest")) tools.push(fixForm(d), splitForm(d));
  if (can("hold")) tools.push(holdForm({ kind: "document", doc_id: d.doc_id }, "Place a legal hold on this document"));

  // Pages are numbered within the document (1 of N); the API still names them by their
  // number in the scan.
  const at = Math.max(0, d.pages.findIndex((p) => p.page_no === pageNo));
  const go = (i) => { if (i >= 0 && i < d.pages.length) location.hash = `#/doc/${encodeURIComponent(id)}?` + qs({ q, page: d.pages[i].page_no, qa: params.get("qa") }); };
  const thumbs = el("nav", { class: "thumbs", "aria-label": "Pages of this document" }, d.pages.map((p, i) => el("button", {
    type: "button", class: "thumb-button" + (i === at ? " current" : ""), "aria-current": i === at ? "page" : null, id: `thumb-${i + 1}`, onclick: () => go(i),
  }, el("img", { src: `/api/v1/documents/${encodeURIComponent(id)}/pages/${p.page_no}/thumbnail`, alt: "", loading: "lazy" }), `Page ${i + 1}`)));
  const frame = el("div", { class: "page-frame", id: "page-frame" });
  const scroller = el("div", { class: "page-scroll", id: "page-scroll", tabindex: 0, role: "region", "aria-label": "Page image (scrolls when zoomed)" }, frame);
  const text = el("div", { class: "ocr-text", id: "ocr-text", tabindex: 0, "aria-label": "Text read on this page" });
  let zoom = parseFloat(sessionStorage.getItem("cv-zoom") || "1");
  const zoomLabel = el("span", { id: "zoom-level", "aria-live": "polite" });
  const setZoom = (z) => { zoom = Math.min(4, Math.max(0.5, z)); sessionStorage.setItem("cv-zoom", String(zoom)); frame.style.setProperty("width", `${zoom * 100}%`); zoomLabel.textContent = `${Math.round(zoom * 100)}%`; };
  let hitAt = -1;
  const boxes = [];
  // Past the last match of a page (or before its first), the next (previous) page opens at
  // its first (last) match.
  const showHit = (step) => {
    if (!q) { flash("Search words to see matches on the page."); return; }
    const beyond = step > 0 ? hitAt + 1 >= boxes.length : hitAt <= 0;
    if (beyond) {
      const to = at + step;
      if (to >= 0 && to < d.pages.length) {
        location.hash = `#/doc/${encodeURIComponent(id)}?` + qs({ q, page: d.pages[to].page_no, qa: params.get("qa"), hit: step > 0 ? "first" : "last" });
      } else flash(`No more matches: this is the ${step > 0 ? "last" : "first"} page.`);
      return;
    }
    if (boxes[hitAt]) boxes[hitAt].classList.remove("active");
    hitAt = hitAt + step;
    boxes[hitAt].classList.add("active");
    boxes[hitAt].scrollIntoView({ block: "center", inline: "center" });
    flash(`Match ${hitAt + 1} of ${boxes.length} on page ${at + 1}.`);
  };
  const bar = el("div", { class: "viewer-bar", role: "toolbar", "aria-label": "Page tools" },
    el("button", { type: "button", class: "secondary", id: "page-prev", disabled: at === 0, onclick: () => go(at - 1), "aria-keyshortcuts": "p" }, "Previous page"),
    el("span", { id: "page-of" }, `Page ${at + 1} of ${d.pages.length}`),
    el("button", { type: "button", class: "secondary", id: "page-next", disabled: at + 1 >= d.pages.length, onclick: () => go(at + 1), "aria-keyshortcuts": "n" }, "Next page"),
    el("button", { type: "button", class: "secondary", id: "zoom-out", onclick: () => setZoom(zoom - 0.25), "aria-keyshortcuts": "-" }, "Zoom out"),
    zoomLabel,
    el("button", { type: "button", class: "secondary", id: "zoom-in", onclick: () => setZoom(zoom + 0.25), "aria-keyshortcuts": "+" }, "Zoom in"),
    el("button", { type: "button", class: "secondary", id: "zoom-fit", onclick: () => setZoom(1), "aria-keyshortcuts": "0" }, "Fit"),
    el("button", { type: "button", class: "secondary", id: "hit-prev", onclick: () => showHit(-1), "aria-keyshortcuts": "k" }, "Previous match"),
    el("button", { type: "button", class: "secondary", id: "hit-next", onclick: () => showHit(1), "aria-keyshortcuts": "j" }, "Next match"),
    can("ingest") ? el("span", { class: "turns" }, "Turn page: ",
      [[270, "Left", "turn-left", "l"], [180, "Upside down", "turn-180", "u"], [90, "Right", "turn-right", "r"]].map(([deg, text, bid, keyName]) =>
        el("button", { type: "button", class: "secondary", id: bid, "aria-keyshortcuts": keyName, "aria-label": `Turn page ${at + 1} ${text.toLowerCase()} and read it again`, onclick: () => turnPage(deg) }, text))) : null,
    el("button", { type: "button", class: "secondary", id: "print-doc", onclick: () => printDocument(d), "aria-keyshortcuts": "Control+p" }, "Print document"),
    el("button", { type: "button", class: "secondary", id: "shortcuts", onclick: () => shortcutsHelp(), "aria-keyshortcuts": "?" }, "Keyboard shortcuts"));
  // The page is read again from the original scan, turned; the new reading replaces the old.
  const turnPage = async (deg) => {
    flash(`Turning page ${at + 1} and reading it again…`);
    try {
      const t = await api("POST", `/documents/${encodeURIComponent(id)}/pages/${pageNo}/turn`, { turn: deg });
      reloadWith(`Page ${at + 1} turned and read again: ${t.words} words, confidence ${Math.round(t.confidence_before)} before, ${Math.round(t.confidence_after)} now. Check the patient and dates below.`);
    } catch (e) { flash(e.message, true); }
  };
  main().replaceChildren(head, el("div", { class: "panel" }, bar,
    el("div", { class: "viewer" }, thumbs, scroller, el("div", {}, el("h2", {}, "Text on this page"), text))),
    tools.length ? el("div", { class: "panel", id: "doc-tools" }, el("h2", {}, "QA and legal hold"), tools) : null);
  setZoom(zoom);
  viewerKeys({ next: () => go(at + 1), prev: () => go(at - 1), hit: showHit, zoom: (dz) => (dz ? setZoom(zoom + dz) : setZoom(1)) });
  let p;
  try { p = await api("GET", `/documents/${encodeURIComponent(id)}/pages/${pageNo}?` + qs({ q })); }
  catch (e) { frame.append(e.message); return; }
  const img = el("img", { src: `/api/v1/documents/${encodeURIComponent(id)}/pages/${pageNo}/image`, alt: `Page ${at + 1} of ${d.pages.length} of this ${typeLabel(d.doc_type)}` });
  frame.append(img);
  const hits = new Set(p.hits);
  for (const i of p.hits) {
    const w = p.words[i];
    const box = el("div", { class: "hit-box", title: w.text, style: `left:${100 * w.left / p.width_px}%;top:${100 * w.top / p.height_px}%;width:${100 * w.width / p.width_px}%;height:${100 * w.height / p.height_px}%` });
    boxes.push(box);
    frame.append(box);
  }
  let line = -1;
  p.words.forEach((w, i) => {
    if (w.line !== line && line !== -1) text.append("\n"); else if (i) text.append(" ");
    line = w.line;
    text.append(hits.has(i) ? el("mark", {}, w.text) : w.text);
  });
  if (!p.words.length) text.append(p.text || "(no text on this page)");
  const arrived = params.get("hit");
  if (arrived && p.hits.length) { hitAt = arrived === "last" ? boxes.length : -1; showHit(arrived === "last" ? -1 : 1); }
  else if (arrived) flash(`No matches on page ${at + 1}; next match: press j (or k for the previous).`);
  else if (p.hits.length) flash(`${p.hits.length} matches highlighted on page ${at + 1}`);
}

// One keyboard handler for the viewer at a time (replaced on every page).
let keyHandler = null;
function viewerKeys(k) {
  if (keyHandler) document.removeEventListener("keydown", keyHandler);
  const stale = document.getElementById("shortcuts-dialog");
  if (stale) stale.remove();
  keyHandler = (ev) => {
    if (!location.hash.startsWith("#/doc/")) { document.removeEventListener("keydown", keyHandler); keyHandler = null; return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) return;
    // The list of shortcuts is open (it handles its own keys), or shortcuts are switched off.
    if (document.getElementById("shortcuts-dialog") || localStorage.getItem("cv-shortcuts") === "off") return;
    const act = { n: k.next, ArrowRight: k.next, p: k.prev, ArrowLeft: k.prev, j: () => k.hit(1), k: () => k.hit(-1),
      "+": () => k.zoom(0.25), "=": () => k.zoom(0.25), "-": () => k.zoom(-0.25), "0": () => k.zoom(0), "?": shortcutsHelp }[ev.key];
    if (act) { ev.preventDefault(); act(); }
  };
  document.addEventListener("keydown", keyHandler);
}

const SHORTCUTS = [["n or →", "next page"], ["p or ←", "previous page"], ["j", "next match (then on the next pages)"], ["k", "previous match"],
  ["+ / -", "zoom in / out"], ["0", "fit the page"], ["?", "this list"], ["Esc", "close this list"]];

// The keyboard shortcuts as a dialog; Esc or the button closes it and focus returns.
function shortcutsHelp() {
  if (document.getElementById("shortcuts-dialog")) return;
  const back = document.activeElement;
  const close = () => { dlg.remove(); if (back && back.focus) back.focus(); };
  const btn = el("button", { type: "button", id: "shortcuts-close", onclick: close }, "Close");
  // Single-key shortcuts can be switched off (WCAG 2.1.4), for this browser.
  const on = el("input", { type: "checkbox", id: "shortcuts-on", checked: localStorage.getItem("cv-shortcuts") !== "off",
    onchange: () => localStorage.setItem("cv-shortcuts", on.checked ? "on" : "off") });
  const dlg = el("div", { class: "overlay", id: "shortcuts-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "shortcuts-title",
    onkeydown: (ev) => {
      ev.stopPropagation();
      if (ev.key === "Escape") { ev.preventDefault(); close(); }
      // Focus stays in the dialog: Tab moves between its two controls.
      if (ev.key === "Tab") { ev.preventDefault(); (document.activeElement === btn ? on : btn).focus(); }
    } },
    el("div", { class: "panel dialog" }, el("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
      el("table", {}, el("caption", { class: "visually-hidden" }, "Keys of the document viewer"), SHORTCUTS.map(([key, what]) => el("tr", {}, el("th", { scope: "row" }, el("kbd", {}, key)), el("td", {}, what)))),
      el("label", { for: "shortcuts-on", class: "check" }, on, " Single-key shortcuts on"), btn));
  document.body.append(dlg);
  btn.focus();
}

// Prints every page of the document (only the pages: the screen around them is hidden).
function printDocument(d) {
  const box = el("div", { class: "print-pages", id: "print-pages" }, d.pages.map((p, i) => el("img", { src: `/api/v1/documents/${encodeURIComponent(d.doc_id)}/pages/${p.page_no}/image`, alt: `Page ${i + 1}` })));
  document.body.append(box);
  document.body.classList.add("printing");
  const imgs = [...box.querySelectorAll("img")];
  Promise.all(imgs.map((im) => im.complete ? null : new Promise((ok) => { im.onload = ok; im.onerror = ok; }))).then(() => {
    window.print();
    document.body.classList.remove("printing");
    box.remove();
  });
}

export function holdForm(scope, title) {
  const matter = el("input", { id: "hold-matter", placeholder: "matter / case", required: true });
  const reason = el("input", { id: "hold-reason", placeholder: "reason", required: true });
  const out = el("span", { id: "hold-result", class: "muted" });
  return el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api("POST", "/holds", { matter: matter.value, reason: reason.value, scope });
        say(out, `Hold ${r.hold_id} placed; it covers ${r.covers} documents.`);
      } catch (e) { say(out, e.message, true); }
    }
  }, el("strong", {}, title), el("label", {}, "Matter", matter), el("label", {}, "Reason", reason), el("button", { id: "hold-submit", type: "submit" }, "Place hold"), out);
}

// Sends only what the user changed: an untouched form changes nothing.
export function fixForm(d) {
  // A person sets a real type; "unclassified" is only ever the archive's own answer.
  const settable = (S.types || []).filter((t) => t.value !== "unclassified");
  const type = el("select", { id: "fix-type" }, settable.map((t) => el("option", { value: t.value, selected: d.doc_type === t.value }, t.label)));
  // A type the list does not offer is shown as it is, never replaced by the first entry.
  if (!settable.some((t) => t.value === d.doc_type)) type.prepend(el("option", { value: d.doc_type, selected: true }, typeLabel(d.doc_type)));
  type.value = d.doc_type;
  const mrn = el("input", { id: "fix-mrn", value: d.patient.mrn || "", size: 10 });
  const name = el("input", { id: "fix-name", value: d.patient.name || "" });
  const dob = el("input", { id: "fix-dob", type: "date", value: d.patient.dob || "" });
  // Compared with what the inputs first showed (a stored value a date input cannot show
  // must not read as "cleared").
  const was = { mrn: mrn.value, name: name.value, dob: dob.value };
  const ok = el("input", { id: "fix-confirm", type: "checkbox" });
  const out = el("span", { class: "muted", id: "fix-result", role: "status" });
  return el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      const body = {}, patient = {};
      if (type.value !== d.doc_type) body.doc_type = type.value;
      if (mrn.value !== was.mrn) patient.mrn = mrn.value;
      if (name.value !== was.name) patient.name = name.value;
      if (dob.value !== was.dob) patient.dob = dob.value;
      if (Object.keys(patient).length) body.patient = patient;
      if (ok.checked) body.confirm = true;
      if (!Object.keys(body).length) { say(out, "Nothing changed."); return; }
      try { await api("PATCH", "/documents/" + encodeURIComponent(d.doc_id), body); reloadWith("Saved."); }
      catch (e) { say(out, e.message, true); }
    }
  }, el("strong", {}, "QA fix"), el("label", {}, "Type", type), el("label", {}, "MRN", mrn), el("label", {}, "Name", name), el("label", {}, "DOB", dob), el("label", {}, "Reviewed", ok), el("button", { type: "submit", id: "fix-save" }, "Save"), out);
}

// Fix where documents begin: a page starts a new document (shown first: which pages go
// where), or this one joins the one before. Either can be undone at once from the result.
export function splitForm(d) {
  const out = el("span", { id: "split-result" });
  const later = d.pages.slice(1);
  const at = el("select", { id: "split-page" }, later.map((p, i) => el("option", { value: p.page_no }, `page ${i + 2} (scan page ${p.page_no})`)));
  const preview = el("div", { id: "split-preview", class: "preview", hidden: true });
  const done = (r, undo) => {
    const docs = r.documents.map((x) => `${x.doc_id} (${typeLabel(x.doc_type)}, pages ${x.pages.join(", ")})`).join("; ");
    S.next = r.removed ? `Merged: ${docs}.` : `Split into ${docs}.`;
    S.undo = undo;
    const target = `#/doc/${encodeURIComponent(r.documents[0].doc_id)}`;
    if (location.hash === target) route(); else location.hash = target;
  };
  const merge = el("button", { type: "button", class: "secondary", id: "merge-previous", onclick: async () => {
    if (!confirm(`Join this document (${d.pages.length} page${d.pages.length === 1 ? "" : "s"}) to the one before it in the same scan? It can be undone right after.`)) return;
    const first = d.pages[0] && d.pages[0].page_no;
    try {
      const r = await api("POST", `/documents/${encodeURIComponent(d.doc_id)}/merge-previous`, {});
      const kept = r.documents[0].doc_id;
      done(r, { doc: kept, label: "Undo the merge", run: () => api("POST", `/documents/${encodeURIComponent(kept)}/split`, { page: first }) });
    } catch (e) { say(out, e.message, true); }
  } }, "Merge into previous document");
  const show = () => {
    const page = parseInt(at.value, 10);
    const i = d.pages.findIndex((p) => p.page_no === page);
    const range = (a, b) => (a === b ? `page ${a}` : `pages ${a} to ${b}`);
    preview.hidden = false;
    preview.replaceChildren(el("p", {}, `This document keeps ${range(1, i)}; ${range(i + 1, d.pages.length)} become a new document (the fields of both are read again).`),
      el("button", { type: "button", id: "split-confirm", onclick: async () => {
        try {
          const r = await api("POST", `/documents/${encodeURIComponent(d.doc_id)}/split`, { page });
          const made = r.documents[1] && r.documents[1].doc_id;
          done(r, made ? { doc: r.documents[0].doc_id, label: "Undo the split", run: () => api("POST", `/documents/${encodeURIComponent(made)}/merge-previous`, {}) } : null);
        } catch (e) { say(out, e.message, true); }
      } }, "Split"),
      el("button", { type: "button", class: "secondary", id: "split-cancel", onclick: () => { preview.hidden = true; } }, "Cancel"));
    preview.querySelector("#split-confirm").focus();
  };
  return el("div", {}, el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); show(); } },
    el("strong", {}, "Split"), later.length ? [el("label", { for: "split-page" }, "New document starts at", at), el("button", { type: "submit", id: "split-submit" }, "Split here…")] : el("span", { class: "muted" }, "one page"),
    merge, preview, out), moveForm(d, done));
}

// A page that belongs to another document of the same scan moves there (and back, at once).
function moveForm(d, done) {
  const others = (d.scan_documents || []).filter((x) => x.doc_id !== d.doc_id);
  if (!others.length) return null;
  const out = el("span", { id: "move-result" });
  const page = el("select", { id: "move-page" }, d.pages.map((p, i) => el("option", { value: p.page_no }, `page ${i + 1} (scan page ${p.page_no})`)));
  const to = el("select", { id: "move-to" }, others.map((x) => el("option", { value: x.doc_id }, `the document of scan pages ${x.pages.join(", ")}`)));
  return el("form", { class: "inline", id: "move-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const n = parseInt(page.value, 10), target = to.value;
    const last = d.pages.length === 1;
    if (!confirm(`Move scan page ${n} to the document of scan pages ${others.find((x) => x.doc_id === target).pages.join(", ")}?${last ? " This document has no other page: it is merged away." : ""}`)) return;
    try {
      const r = await api("POST", `/documents/${encodeURIComponent(d.doc_id)}/pages/${n}/move`, { to: target });
      done(r, r.removed ? null : { doc: r.documents[0].doc_id, label: "Undo the move", run: () => api("POST", `/documents/${encodeURIComponent(target)}/pages/${n}/move`, { to: d.doc_id }) });
    } catch (e) { say(out, e.message, true); }
  } }, el("strong", {}, "Move a page"), el("label", { for: "move-page" }, "Page", page), el("label", { for: "move-to" }, "to", to),
    el("button", { type: "submit", class: "secondary", id: "move-submit" }, "Move page"), out);
}

// The last split or merge, offered for undoing on the document it left on screen.
export function undoButton(d) {
  const u = S.undo;
  if (!u || u.doc !== d.doc_id) return null;
  return el("button", { type: "button", class: "secondary", id: "undo-regroup", onclick: async () => {
    S.undo = null;
    try { await u.run(); reloadWith(`${u.label}: done.`); } catch (e) { flash(e.message, true); }
  } }, u.label);
}
