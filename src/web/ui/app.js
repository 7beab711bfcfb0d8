// ChartVault web UI: plain JavaScript, no dependencies, talks only to /api/v1.
// Every piece of archive text (OCR, names, file names) goes into the page as text nodes,
// never as HTML.
"use strict";

const S = { me: null, release: JSON.parse(sessionStorage.getItem("cv-release") || "[]") };
const main = () => document.getElementById("main");

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    // Through the CSSOM: the Content-Security-Policy refuses inline style attributes.
    else if (k === "style") for (const decl of String(v).split(";")) {
      const i = decl.indexOf(":");
      if (i > 0) e.style.setProperty(decl.slice(0, i).trim(), decl.slice(i + 1).trim());
    }
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Re-renders the page, then shows `msg` (a message set before route() would be cleared).
function reloadWith(msg) { S.next = msg; route(); }

function flash(msg, isError) {
  const f = document.getElementById("flash");
  f.className = isError ? "error" : "";
  f.textContent = msg || "";
}

async function api(method, path, body, raw) {
  const headers = {};
  if (S.me && method !== "GET") headers["X-CSRF-Token"] = S.me.csrf;
  let payload;
  if (raw !== undefined) { payload = raw; headers["Content-Type"] = "application/octet-stream"; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
  const r = await fetch("/api/v1" + path, { method, headers, body: payload, credentials: "same-origin" });
  if (!r.ok) {
    let err = { code: "internal", message: r.status + " " + r.statusText };
    try { err = await r.json(); } catch (_) { /* not JSON */ }
    const e = new Error(err.message); e.code = err.code; e.status = r.status; e.certificate_id = err.certificate_id;
    if (r.status === 401 && path !== "/session") { S.me = null; location.hash = "#/login"; }
    throw e;
  }
  const type = r.headers.get("content-type") || "";
  return type.includes("application/json") ? r.json() : r;
}

const can = (p) => !!(S.me && S.me.permissions.includes(p));
const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== "" && v !== null && v !== undefined && v !== false)).toString();

function parseHash() {
  const h = location.hash.replace(/^#\/?/, "");
  const [path, query] = h.split("?");
  return { parts: (path || "search").split("/").map(decodeURIComponent), params: new URLSearchParams(query || "") };
}

function renderNav() {
  const nav = document.getElementById("nav"), who = document.getElementById("who");
  nav.replaceChildren(); who.replaceChildren();
  if (!S.me) return;
  const cur = parseHash().parts[0];
  const link = (href, text, key) => el("a", { href, class: cur === key ? "active" : null, id: "nav-" + key }, text);
  nav.append(link("#/search", "Search", "search"));
  if (can("ingest")) nav.append(link("#/ingest", "Ingest & QA", "ingest"));
  if (can("release")) nav.append(link("#/release", `Release (${S.release.length})`, "release"));
  if (can("retention_read")) nav.append(link("#/retention", "Retention desk", "retention"));
  if (can("audit")) nav.append(link("#/audit", "Audit log", "audit"));
  if (can("admin")) nav.append(link("#/users", "Users", "users"));
  who.append(`${S.me.username} (${S.me.role.replace("_", " ")})`,
    el("button", { class: "secondary", id: "logout", onclick: logout }, "Log out"));
}

async function logout() {
  try { await api("DELETE", "/session"); } catch (_) { /* already gone */ }
  S.me = null; location.hash = "#/login"; route();
}

function viewLogin() {
  const user = el("input", { id: "login-user", autocomplete: "username", required: true });
  const pass = el("input", { id: "login-pass", type: "password", autocomplete: "current-password", required: true });
  const msg = el("p", { id: "login-msg", class: "muted" });
  const form = el("form", {
    onsubmit: async (ev) => {
      ev.preventDefault(); msg.textContent = "";
      try {
        S.me = await api("POST", "/session", { username: user.value, password: pass.value });
        location.hash = "#/search";
      } catch (e) { msg.textContent = e.message; }
    }
  }, el("label", {}, "User name", user), el("label", {}, "Password", pass),
    el("button", { id: "login-submit", type: "submit" }, "Log in"), msg);
  main().replaceChildren(el("div", { class: "panel login" }, el("h1", {}, "ChartVault"), form));
  user.focus();
}

// Document types and their labels come from the server (GET /document-types): the one list
// the API accepts. Loaded once per login (see route()).
const STATUSES = ["retained", "eligible", "on_hold", "indeterminate", "permanent"];
const typeLabel = (t) => { const x = (S.types || []).find((y) => y.value === t); return x ? x.label : label(t); };
const typeOptions = (selected) => (S.types || []).map((t) => el("option", { value: t.value, selected: selected === t.value }, t.label));
const label = (s) => String(s || "").replace(/_/g, " ");
// A timestamp as people read it: "2045-01-31 20:45 UTC".
const when = (t) => { const d = new Date(t); return isNaN(d) ? String(t || "-") : d.toISOString().slice(0, 16).replace("T", " ") + " UTC"; };

function marked(text, ranges) {
  const out = []; let last = 0;
  for (const [a, b] of ranges || []) {
    if (a < last || b > text.length) continue;
    out.push(text.slice(last, a), el("mark", {}, text.slice(a, b))); last = b;
  }
  out.push(text.slice(last));
  return out;
}

// Snippet byte offsets (from the server) to string offsets.
function byteRangesToChars(text, ranges) {
  const enc = new TextEncoder(); const map = []; let bytes = 0;
  for (let i = 0; i < text.length; i++) { map[bytes] = i; bytes += enc.encode(text[i]).length; }
  map[bytes] = text.length;
  return (ranges || []).map(([a, b]) => [map[a] ?? 0, map[b] ?? text.length]);
}

function toggleRelease(id) {
  const i = S.release.indexOf(id);
  if (i >= 0) S.release.splice(i, 1); else S.release.push(id);
  sessionStorage.setItem("cv-release", JSON.stringify(S.release));
  renderNav();
}

async function viewSearch(params) {
  const f = Object.fromEntries(params.entries());
  const q = el("input", { id: "q", type: "search", value: f.q || "", placeholder: 'words, "a phrase", OR, -word' });
  const type = el("select", { id: "f-type" }, el("option", { value: "" }, "any type"), typeOptions(f.type));
  const from = el("input", { id: "f-from", type: "date", value: f.from || "" });
  const to = el("input", { id: "f-to", type: "date", value: f.to || "" });
  const status = el("select", { id: "f-status" }, el("option", { value: "" }, "any status"), STATUSES.map((s) => el("option", { value: s, selected: f.retention_status === s }, label(s))));
  const sort = el("select", { id: "f-sort" }, ["relevance", "newest", "oldest"].map((s) => el("option", { value: s, selected: f.sort === s }, s)));
  const fuzzy = el("input", { id: "f-fuzzy", type: "checkbox", checked: f.fuzzy === "true" });
  const mrn = el("input", { id: "f-mrn", value: f.mrn || "", size: 10 });
  const form = el("form", {
    class: "inline", onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = "#/search?" + qs({ q: q.value, type: type.value, from: from.value, to: to.value, retention_status: status.value, sort: sort.value === "relevance" ? "" : sort.value, fuzzy: fuzzy.checked ? "true" : "", mrn: mrn.value });
    }
  }, el("label", {}, "Search", q), el("label", {}, "Type", type), el("label", {}, "MRN", mrn), el("label", {}, "Service from", from), el("label", {}, "to", to),
    el("label", {}, "Retention", status), el("label", {}, "Sort", sort), el("label", {}, "Typos", fuzzy), el("button", { id: "search-submit", type: "submit" }, "Search"));
  const results = el("div", { id: "results" });
  main().replaceChildren(el("div", { class: "panel" }, form), results);
  q.focus();
  if (![...params.keys()].length) { results.append(el("p", { class: "muted" }, "Type words to search the archive.")); return; }
  const offset = parseInt(f.offset || "0", 10);
  let r;
  try { r = await api("GET", "/search?" + qs({ ...f, facets: "true", limit: 20, offset })); }
  catch (e) { results.append(el("div", { class: "panel denied" }, e.message)); return; }
  // A facet is a link to the same search with one more filter.
  const withFilter = (k, v) => { const p = new URLSearchParams(params); p.set(k, v); p.delete("offset"); return "#/search?" + p; };
  const facetLinks = (key, pairs, show) => pairs.map(([v, n]) => el("a", { href: withFilter(key, v), class: "facet" + (f[key] === String(v) ? " active" : "") }, `${show(v)} (${n})`));
  const facets = el("div", { class: "facets panel" }, el("h2", {}, `${r.total} documents`));
  if (r.facets) {
    facets.append(el("h3", {}, "Type"), ...facetLinks("type", r.facets.doc_type, typeLabel));
    facets.append(el("h3", {}, "Year of service"), ...facetLinks("year", r.facets.year, String));
    facets.append(el("h3", {}, "Retention"), ...facetLinks("retention_status", r.facets.retention_status, label));
  }
  const list = el("div", { class: "panel" });
  if (!r.hits.length) list.append(el("p", { class: "muted" }, "No documents match."));
  for (const h of r.hits) {
    const chars = byteRangesToChars(h.snippet, h.highlights);
    list.append(el("div", { class: "result" },
      el("a", { class: "hit-link", href: `#/doc/${encodeURIComponent(h.doc_id)}?q=${encodeURIComponent(f.q || "")}` }, `${typeLabel(h.doc_type)} — ${h.service_date || "no date"}`),
      el("div", { class: "meta" }, h.patient_name || "unknown patient", " · MRN ", h.mrn ? el("a", { href: `#/patient/${encodeURIComponent(h.mrn)}` }, h.mrn) : "-", ` · ${h.pages.length} pages · ${h.doc_id}`,
        can("release") ? el("label", { style: "display:inline;margin-left:1em" }, el("input", { type: "checkbox", checked: S.release.includes(h.doc_id), onchange: () => toggleRelease(h.doc_id) }), " release") : null),
      el("div", { class: "snippet" }, marked(h.snippet.replace(/\s+/g, " "), chars.length ? chars : []))));
  }
  const pager = el("div", { class: "actions" });
  const go = (o) => () => { const p = new URLSearchParams(params); p.set("offset", o); location.hash = "#/search?" + p; };
  if (offset > 0) pager.append(el("button", { class: "secondary", onclick: go(Math.max(0, offset - 20)) }, "Previous"));
  if (offset + r.hits.length < r.total) pager.append(el("button", { class: "secondary", onclick: go(offset + 20) }, "Next"));
  list.append(pager);
  results.append(el("div", { class: "layout" }, facets, list));
}

function gonePanel(e) {
  return el("div", { class: "panel denied", id: "gone" }, e.message, e.certificate_id && can("retention_read") ? el("p", {}, el("a", { href: `/api/v1/certificates/${encodeURIComponent(e.certificate_id)}?format=html`, target: "_blank" }, "Certificate of destruction " + e.certificate_id)) : null);
}

async function viewDocument(id, params) {
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
    can("release") ? el("button", { class: "secondary", id: "add-release", onclick: () => { toggleRelease(d.doc_id); route(); } }, S.release.includes(d.doc_id) ? "Remove from release" : "Add to release") : null);
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

function holdForm(scope, title) {
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
function fixForm(d) {
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
function splitForm(d) {
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

async function viewPatient(mrn) {
  let r;
  try { r = await api("GET", "/patients/" + encodeURIComponent(mrn) + "/documents"); }
  catch (e) { main().replaceChildren(el("div", { class: "panel denied" }, e.message)); return; }
  const rows = r.documents.map((d) => el("tr", {}, el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(d.doc_id)}` }, typeLabel(d.doc_type))), el("td", {}, d.service_date || "-"), el("td", {}, d.pages.length), el("td", {}, d.doc_id)));
  const panels = [el("div", { class: "panel" }, el("h1", {}, `${r.name || "Patient"} — MRN ${r.mrn}`), el("p", {}, `${r.total} documents`),
    el("table", {}, el("tr", {}, el("th", {}, "Document"), el("th", {}, "Service"), el("th", {}, "Pages"), el("th", {}, "Id")), rows))];
  if (can("release")) {
    const acc = await api("GET", "/patients/" + encodeURIComponent(mrn) + "/disclosures");
    panels.push(el("div", { class: "panel", id: "accounting" }, el("h2", {}, "Accounting of disclosures"),
      acc.disclosures.length ? el("table", {}, el("tr", {}, el("th", {}, "Date"), el("th", {}, "Recipient"), el("th", {}, "Purpose"), el("th", {}, "Documents"), el("th", {}, "Released by"), el("th", {}, "Id")),
        acc.disclosures.map((x) => el("tr", {}, el("td", {}, x.at), el("td", {}, x.recipient), el("td", {}, x.purpose), el("td", {}, x.documents.map((d) => `${typeLabel(d.doc_type)} ${d.service_date || ""}`).join("; ")), el("td", {}, x.user), el("td", {}, x.id))))
        : el("p", { class: "muted" }, "No disclosures recorded.")));
  }
  if (can("hold")) panels.push(el("div", { class: "panel" }, holdForm({ kind: "mrn", mrn }, "Hold every document of this patient")));
  main().replaceChildren(...panels);
}

let ingestTimer = null;
async function viewIngest() {
  if (!can("ingest")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "Your role does not include ingest.")); return; }
  const files = el("input", { id: "upload-files", type: "file", multiple: true, accept: ".pdf,.tif,.tiff,.png,.jpg,.jpeg" });
  const out = el("span", { class: "muted" });
  const form = el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      for (const f of files.files) {
        try { await api("POST", "/ingest?" + qs({ filename: f.name }), undefined, f); out.textContent = `${f.name} queued`; }
        catch (e) { out.textContent = `${f.name}: ${e.message}`; }
      }
      refresh();
    }
  }, el("label", {}, "Scans to ingest", files), el("button", { type: "submit" }, "Upload"), out);
  const jobs = el("div", { id: "jobs" }), qa = el("div", { id: "qa" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Ingest"), form), el("div", { class: "panel" }, el("h2", {}, "Jobs"), jobs), el("div", { class: "panel" }, el("h2", {}, "QA queue"), qa));
  async function refresh() {
    if (parseHash().parts[0] !== "ingest") { clearInterval(ingestTimer); return; }
    const j = await api("GET", "/ingest/jobs");
    jobs.replaceChildren(el("p", { class: "muted" }, j.watching ? `Watching ${j.watching}. ` : "", `${j.running} running, ${j.queued} queued.`),
      el("table", {}, el("tr", {}, el("th", {}, "File"), el("th", {}, "From"), el("th", {}, "State"), el("th", {}, "Progress"), el("th", {}, "Documents"), el("th", {}, "Problem")),
        j.jobs.map((x) => {
          const pct = x.pages_total ? Math.round(100 * x.pages_done / x.pages_total) : (x.finished_at ? 100 : 0);
          return el("tr", {}, el("td", {}, x.file), el("td", {}, x.origin), el("td", {}, x.duplicate ? "duplicate" : x.state),
            el("td", {}, el("span", { class: "progress" }, el("div", { style: `width:${pct}%` })), ` ${x.pages_done}/${x.pages_total} pages`), el("td", {}, x.documents), el("td", {}, x.error || ""));
        })));
    const r = await api("GET", "/review");
    qa.replaceChildren(r.items.length ? el("table", {}, el("tr", {}, el("th", {}, "Document"), el("th", {}, "Type"), el("th", {}, "Why")),
      r.items.slice(0, 200).map((i) => el("tr", {}, el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(i.doc_id)}` }, i.doc_id)), el("td", {}, typeLabel(i.doc_type)), el("td", {}, i.flags.map((f) => el("span", { class: "badge warn" }, label(f)))))))
      : el("p", { class: "muted" }, "Nothing waits for review."));
  }
  clearInterval(ingestTimer);
  ingestTimer = setInterval(() => refresh().catch(() => {}), 2000);
  refresh().catch((e) => flash(e.message, true));
}

function viewRelease() {
  if (!can("release")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "Your role does not include release of information.")); return; }
  const recipient = el("input", { id: "roi-recipient", required: true, size: 30 });
  const purpose = el("input", { id: "roi-purpose", required: true, size: 30 });
  const out = el("div", { id: "roi-result" });
  const list = el("ul", {}, S.release.map((id) => el("li", {}, el("a", { href: `#/doc/${encodeURIComponent(id)}` }, id), " ", el("button", { class: "secondary", onclick: () => { toggleRelease(id); viewRelease(); } }, "remove"))));
  const form = el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api("POST", "/releases", { doc_ids: S.release, recipient: recipient.value, purpose: purpose.value });
        const id = r.headers.get("x-disclosure-id");
        const url = URL.createObjectURL(await r.blob());
        out.replaceChildren(el("p", {}, `Disclosure ${id} recorded. `, el("a", { href: url, download: `${id}.pdf` }, "Download the release PDF")));
        S.release = []; sessionStorage.setItem("cv-release", "[]"); renderNav();
      } catch (e) { out.textContent = e.message; }
    }
  }, el("label", {}, "Recipient", recipient), el("label", {}, "Purpose", purpose), el("button", { type: "submit", disabled: !S.release.length }, "Create release PDF"));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Release of information"),
    S.release.length ? list : el("p", { class: "muted" }, "Select documents in search results or in the viewer."), form, out));
}

async function viewRetention(params) {
  if (!can("retention_read")) {
    main().replaceChildren(el("div", { class: "denied", id: "denied" }, "You do not have access to the retention desk. It is for retention officers and approvers."));
    return;
  }
  const jobId = params.get("job");
  if (jobId) return viewJob(jobId);
  const [report, holds, jobs] = await Promise.all([api("GET", "/retention/report"), api("GET", "/holds"), api("GET", "/purge-jobs")]);
  const rep = el("div", { class: "panel", id: "retention-report" }, el("h1", {}, "Retention desk"), el("p", { class: "muted" }, `As of ${report.as_of}, schedule ${report.schedule}`),
    el("table", {}, el("tr", {}, el("th", {}, "Class"), el("th", {}, "Status"), el("th", {}, "Year"), el("th", {}, "Documents")),
      report.counts.map((c) => el("tr", {}, el("td", {}, c.class), el("td", {}, label(c.status)), el("td", {}, c.service_year), el("td", {}, c.documents)))),
    report.next_eligible.length ? el("p", {}, "Next eligible: ", report.next_eligible.map((n) => `${n.eligible_on} (${n.documents})`).join(", ")) : null);
  const scopeText = (h) => h.patient ? `Patient ${h.patient.name || "(name unknown)"} · MRN ${h.patient.mrn || "(no document yet)"}` : h.scope.kind === "document" ? `Document ${h.scope.doc_id}` : h.scope.kind === "query" ? `Saved search "${h.scope.text}"` : `Class ${h.scope.class}, service ${h.scope.from} to ${h.scope.to}`;
  const holdRows = holds.holds.map((h) => el("tr", {}, el("td", {}, h.id), el("td", {}, h.matter), el("td", {}, scopeText(h)), el("td", {}, String(h.covers)), el("td", {}, `${h.placed_by}, ${when(h.placed_at)}`),
    el("td", {}, can("hold") ? el("button", { class: "secondary", onclick: async () => { const reason = prompt("Reason for releasing " + h.id); if (!reason) return; try { await api("POST", `/holds/${encodeURIComponent(h.id)}/release`, { reason }); route(); } catch (e) { flash(e.message, true); } } }, "Release") : "")));
  const holdPanel = el("div", { class: "panel", id: "holds" }, el("h2", {}, "Legal holds"), holds.holds.length ? el("table", {}, el("tr", {}, el("th", {}, "Id"), el("th", {}, "Matter"), el("th", {}, "Covers"), el("th", {}, "Documents"), el("th", {}, "Placed"), el("th", {})), holdRows) : el("p", { class: "muted" }, "No active holds."));
  if (can("hold")) {
    const mrn = el("input", { id: "hold-mrn-value", placeholder: "MRN" });
    holdPanel.append(el("div", {}, "Hold a patient: ", mrn, " ", el("button", { class: "secondary", onclick: () => { if (mrn.value) location.hash = "#/patient/" + encodeURIComponent(mrn.value); } }, "Open patient")));
  }
  const act = (path, what) => async () => { try { const r = await api("POST", path); reloadWith(what(r)); } catch (e) { flash(e.message, true); } };
  const mayApprove = (j) => j.state === "planned" && can("approve") && j.created_by !== S.me.username && !(j.approved_by || []).includes(S.me.username);
  const jobRows = jobs.jobs.map((j) => el("tr", {}, el("td", {}, el("a", { href: `#/retention?job=${encodeURIComponent(j.id)}` }, j.id)), el("td", {}, j.forecast ? "forecast (review only)" : j.state), el("td", {}, j.as_of), el("td", {}, j.documents), el("td", {}, j.earliest_retain_through || "-"), el("td", {}, j.created_by), el("td", {}, j.forecast ? "—" : `${(j.approved_by || []).length} of ${j.required_approvals}`),
    el("td", {}, j.certificate_id ? el("a", { href: `/api/v1/certificates/${encodeURIComponent(j.certificate_id)}?format=html`, target: "_blank" }, j.certificate_id) : ""),
    el("td", {}, mayApprove(j) ? el("button", { class: "approve", onclick: () => { if (confirm(`Approve ${j.id}: ${j.documents} documents, the earliest retained through ${j.earliest_retain_through || "-"}?`)) act(`/purge-jobs/${encodeURIComponent(j.id)}/approve`, (r) => `Approved (${r.approvals} of ${r.required}).`)(); } }, "Approve") : null,
      ["approved", "executing"].includes(j.state) && can("purge") ? el("button", { class: "danger", onclick: () => { if (confirm(`Destroy the documents of ${j.id} that still qualify today (at most ${j.documents}; each is re-checked first and skipped if held, changed or not yet eligible)? This cannot be undone.`)) act(`/purge-jobs/${encodeURIComponent(j.id)}/execute`, (r) => `${r.destroyed} of ${r.approved} approved documents destroyed${r.skipped.length ? `, ${r.skipped.length} skipped (no longer qualify today)` : ""}; certificate ${r.certificate_id || "not issued"}.`)(); } }, "Execute") : null,
      ["planned", "approved", "forecast"].includes(j.state) && can("purge") ? el("button", { class: "secondary", onclick: act(`/purge-jobs/${encodeURIComponent(j.id)}/cancel`, () => "Cancelled.") }, "Cancel") : null)));
  const jobPanel = el("div", { class: "panel", id: "purge-jobs" }, el("h2", {}, "Purge jobs"), jobs.jobs.length ? el("table", {}, el("tr", {}, el("th", {}, "Job"), el("th", {}, "State"), el("th", {}, "As of"), el("th", {}, "Documents"), el("th", {}, "Earliest retain-through"), el("th", {}, "Planned by"), el("th", {}, "Approvals"), el("th", {}, "Certificate"), el("th", {})), jobRows) : el("p", { class: "muted" }, "No purge jobs."));
  if (can("purge")) {
    const asOf = el("input", { type: "date", id: "plan-as-of" });
    jobPanel.append(el("form", { class: "inline", onsubmit: async (ev) => { ev.preventDefault(); try { const r = await api("POST", "/purge-jobs", asOf.value ? { as_of: asOf.value } : {}); reloadWith(r.forecast ? `Forecast ${r.job_id} as of ${r.as_of}: ${r.documents} documents would be eligible then. A forecast can be reviewed, never approved or executed.` : `Planned ${r.job_id}: ${r.documents} documents (dry run, nothing destroyed).`); } catch (e) { flash(e.message, true); } } },
      el("label", {}, "Plan a purge as of", asOf), el("button", { type: "submit", id: "plan-submit" }, "Plan (dry run)")));
  }
  main().replaceChildren(rep, holdPanel, jobPanel);
}

async function viewJob(id) {
  const j = await api("GET", "/purge-jobs/" + encodeURIComponent(id));
  const status = (m) => m.state === "destroyed" ? "destroyed" : m.state === "destroyed_by_another_job" ? "destroyed (by another job)" : m.state === "skipped" ? `skipped: ${m.skip_reason || ""}` : "pending";
  main().replaceChildren(el("div", { class: "panel", id: "job" }, el("h1", {}, `Purge job ${j.id}`),
    j.forecast ? el("p", { class: "warn", id: "forecast-note" }, `A forecast as of ${j.as_of}, a date after today: it can be reviewed, never approved or executed.`) : null,
    el("p", {}, `${j.forecast ? "forecast" : j.state} · as of ${j.as_of} · ${j.documents} documents · earliest retain-through ${j.earliest_retain_through || "-"} · planned by ${j.created_by}, ${when(j.created_at)}`, j.forecast ? "" : ` · needs ${j.required_approvals} approvals (they expire ${when(j.approvals_expire)})`),
    el("p", {}, "Approvals: ", j.approvals.map((a) => `${a.user} (${when(a.at)})${a.valid ? "" : " VOID"}`).join(", ") || "none"),
    el("p", { id: "job-items" }, `Destroyed ${j.items.destroyed} · skipped ${j.items.skipped} · pending ${j.items.pending}`),
    el("p", { class: "muted" }, `Manifest sha256 ${j.manifest_sha256}`),
    el("table", {}, el("tr", {}, el("th", {}, "Document"), el("th", {}, "Class"), el("th", {}, "Type"), el("th", {}, "Patient"), el("th", {}, "MRN"), el("th", {}, "Service"), el("th", {}, "Retain through"), el("th", {}, "Status")),
      j.manifest.map((m) => el("tr", {}, el("td", {}, m.destroyed || m.file !== undefined ? m.doc_id : el("a", { href: `#/doc/${encodeURIComponent(m.doc_id)}` }, m.doc_id)), el("td", {}, m.class), el("td", {}, typeLabel(m.doc_type)), el("td", {}, m.file !== undefined ? `file ${m.file}: ${m.quarantine_reason || ""}` : (m.patient_name || "-")), el("td", {}, m.mrn || "-"), el("td", {}, m.service_date || "-"), el("td", {}, m.retain_through || "-"), el("td", {}, status(m)))))));
}

async function viewAudit(params) {
  if (!can("audit")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "The audit log is for administrators.")); return; }
  const user = el("input", { value: params.get("user") || "", placeholder: "user" });
  const action = el("input", { value: params.get("action") || "", placeholder: "action" });
  const r = await api("GET", "/audit?" + qs({ limit: 300, user: params.get("user") || "", action: params.get("action") || "" }));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Audit log"),
    el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); location.hash = "#/audit?" + qs({ user: user.value, action: action.value }); } }, user, action, el("button", { type: "submit" }, "Filter")),
    el("table", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "When"), el("th", {}, "User"), el("th", {}, "Action"), el("th", {}, "Subject"), el("th", {}, "Detail")),
      r.entries.slice().reverse().map((e) => el("tr", {}, el("td", {}, e.seq), el("td", {}, e.at), el("td", {}, e.user), el("td", {}, e.action), el("td", {}, e.subject), el("td", {}, JSON.stringify(e.detail).slice(0, 160)))))));
}

async function viewUsers() {
  if (!can("admin")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "User management is for administrators.")); return; }
  const r = await api("GET", "/users");
  const name = el("input", { required: true }), pass = el("input", { type: "password", required: true });
  const role = el("select", {}, ["viewer", "clerk", "retention_officer", "approver", "admin"].map((x) => el("option", { value: x }, label(x))));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Users"),
    el("table", {}, el("tr", {}, el("th", {}, "User"), el("th", {}, "Role"), el("th", {}, "Created"), el("th", {}, "Disabled")), r.users.map((u) => el("tr", {}, el("td", {}, u.username), el("td", {}, label(u.role)), el("td", {}, `${u.created_at} by ${u.created_by}`), el("td", {}, u.disabled_at || "")))),
    el("form", { class: "inline", onsubmit: async (ev) => { ev.preventDefault(); try { await api("POST", "/users", { username: name.value, role: role.value, password: pass.value }); reloadWith("Saved."); } catch (e) { flash(e.message, true); } } },
      el("label", {}, "User name", name), el("label", {}, "Role", role), el("label", {}, "Password (10+ characters)", pass), el("button", { type: "submit" }, "Add or update"))));
}

async function route() {
  const { parts, params } = parseHash();
  flash(S.next || ""); S.next = null;
  if (!S.me) {
    try { S.me = await api("GET", "/session"); } catch (_) { S.me = null; }
  }
  renderNav();
  if (!S.me) { viewLogin(); return; }
  if (!S.types) {
    try { S.types = (await api("GET", "/document-types")).types; } catch (e) { flash(e.message, true); }
  }
  try {
    switch (parts[0]) {
      case "login": case "search": case "": return await viewSearch(params);
      case "doc": return await viewDocument(parts[1], params);
      case "patient": return await viewPatient(parts[1]);
      case "ingest": return await viewIngest();
      case "release": return viewRelease();
      case "retention": return await viewRetention(params);
      case "audit": return await viewAudit(params);
      case "users": return await viewUsers();
      default: main().replaceChildren(el("p", {}, "No such page."));
    }
  } catch (e) {
    main().replaceChildren(el("div", { class: "panel denied" }, e.message));
  }
}

window.addEventListener("hashchange", route);
route();
