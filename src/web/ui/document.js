// The document viewer: page image with hit boxes, OCR text, QA fix, split and merge, holds.

import { S, main, el, api, can, qs, flash, reloadWith, route, label, typeLabel, toggleRelease, gonePanel } from "./core.js";

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
    el("div", { class: "meta muted" }, `Document ${d.doc_id} · ${d.pages.length} pages · source ${d.source.path}`),
    ret ? el("div", {}, el("span", { class: "badge" + (ret.status === "on_hold" ? " warn" : "") , id: "retention-status" }, label(ret.status)), ` class ${ret.class}`, ret.eligible_on ? ` · eligible ${ret.eligible_on}` : "", ret.holds.length ? ` · holds ${ret.holds.join(", ")}` : "") : null,
    flags.length ? el("div", {}, "Needs review: ", flags) : null);
  const actions = el("div", { class: "actions" },
    el("a", { href: `/api/v1/documents/${encodeURIComponent(d.doc_id)}/original`, download: "" }, el("button", { class: "secondary", type: "button" }, "Download original")),
    d.source.other_documents_in_scan ? el("span", { class: "muted" }, `(the original scan also holds ${d.source.other_documents_in_scan} other documents)`) : null,
    can("release") ? el("button", { class: "secondary", id: "add-release", onclick: () => { toggleRelease(d.doc_id, { doc_type: d.doc_type, service_date: d.service_date, name: d.patient.name, mrn: d.patient.mrn }); route(); } }, S.release.includes(d.doc_id) ? "Remove from release" : "Add to release") : null);
  head.append(actions);
  if (can("hold")) head.append(holdForm({ kind: "document", doc_id: d.doc_id }, "Place a legal hold on this document"));
  if (can("ingest")) head.append(fixForm(d), splitForm(d));
  const nav = el("div", { class: "pages-nav" }, d.pages.map((p) => el("button", { class: p.page_no === pageNo ? "current" : "secondary", onclick: () => { location.hash = `#/doc/${encodeURIComponent(id)}?` + qs({ q, page: p.page_no }); } }, `p${p.page_no}`)));
  const frame = el("div", { class: "page-frame", id: "page-frame" });
  const text = el("div", { class: "ocr-text", id: "ocr-text" });
  main().replaceChildren(head, el("div", { class: "panel" }, nav, el("div", { class: "viewer" }, el("div", {}, frame), el("div", {}, el("h2", {}, "OCR text"), text))));
  let p;
  try { p = await api("GET", `/documents/${encodeURIComponent(id)}/pages/${pageNo}?` + qs({ q })); }
  catch (e) { frame.append(e.message); return; }
  const img = el("img", { src: `/api/v1/documents/${encodeURIComponent(id)}/pages/${pageNo}/image`, alt: `page ${pageNo}` });
  frame.append(img);
  const hits = new Set(p.hits);
  for (const i of p.hits) {
    const w = p.words[i];
    frame.append(el("div", { class: "hit-box", title: w.text, style: `left:${100 * w.left / p.width_px}%;top:${100 * w.top / p.height_px}%;width:${100 * w.width / p.width_px}%;height:${100 * w.height / p.height_px}%` }));
  }
  let line = -1;
  p.words.forEach((w, i) => {
    if (w.line !== line && line !== -1) text.append("\n"); else if (i) text.append(" ");
    line = w.line;
    text.append(hits.has(i) ? el("mark", {}, w.text) : w.text);
  });
  if (!p.words.length) text.append(p.text || "(no text on this page)");
  if (p.hits.length) flash(`${p.hits.length} matches highlighted on page ${pageNo}`);
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
        out.textContent = `Hold ${r.hold_id} placed; it covers ${r.covers} documents.`;
      } catch (e) { out.textContent = e.message; }
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
      if (!Object.keys(body).length) { out.textContent = "Nothing changed."; return; }
      try { await api("PATCH", "/documents/" + encodeURIComponent(d.doc_id), body); reloadWith("Saved."); }
      catch (e) { out.textContent = e.message; }
    }
  }, el("strong", {}, "QA fix"), el("label", {}, "Type", type), el("label", {}, "MRN", mrn), el("label", {}, "Name", name), el("label", {}, "DOB", dob), el("label", {}, "Reviewed", ok), el("button", { type: "submit", id: "fix-save" }, "Save"), out);
}

// Fix where documents begin: a page starts a new document, or this one joins the one before.
export function splitForm(d) {
  const out = el("span", { id: "split-result", class: "muted" });
  const later = d.pages.slice(1);
  const at = el("select", { id: "split-page" }, later.map((p) => el("option", { value: p.page_no }, `page ${p.page_no}`)));
  const done = (r) => {
    const docs = r.documents.map((x) => `${x.doc_id} (${typeLabel(x.doc_type)}, pages ${x.pages.join(", ")})`).join("; ");
    S.next = r.removed ? `Merged: ${docs}.` : `Split into ${docs}.`;
    const target = `#/doc/${encodeURIComponent(r.documents[0].doc_id)}`;
    if (location.hash === target) route(); else location.hash = target;
  };
  const merge = el("button", { type: "button", class: "secondary", id: "merge-previous", onclick: async () => {
    if (!confirm("Join this document to the one before it in the same scan?")) return;
    try { done(await api("POST", `/documents/${encodeURIComponent(d.doc_id)}/merge-previous`, {})); } catch (e) { out.textContent = e.message; }
  } }, "Merge into previous document");
  return el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      try { done(await api("POST", `/documents/${encodeURIComponent(d.doc_id)}/split`, { page: parseInt(at.value, 10) })); }
      catch (e) { out.textContent = e.message; }
    }
  }, el("strong", {}, "Split"), later.length ? [el("label", {}, "New document starts at", at), el("button", { type: "submit", id: "split-submit" }, "Split here")] : el("span", { class: "muted" }, "one page"), merge, out);
}

