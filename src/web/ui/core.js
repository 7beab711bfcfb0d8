// ChartVault web UI, shared parts: state, element building, the API client, navigation.
// Every piece of archive text (OCR, names, file names) goes into the page as text nodes,
// never as HTML.

export const S = {
  me: null,
  release: JSON.parse(sessionStorage.getItem("cv-release") || "[]"),
  // What the release screen shows of each picked document (patient, type, date): kept in
  // this page's memory only, never in browser storage.
  releaseInfo: {},
};
export const main = () => document.getElementById("main");

export function el(tag, attrs, ...children) {
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

// A labelled input: { label, input } (the label holds its text and the input, so the input's
// name is its label; `id` lets tests and scripts find it).
export function field(id, text, attrs) {
  const input = el("input", { id, name: id, ...(attrs || {}) });
  return { input, label: el("label", { for: id }, text, input) };
}

// A message for a form: errors are announced at once (role=alert), other news politely.
export function say(out, msg, isError) {
  out.setAttribute("role", isError ? "alert" : "status");
  out.className = isError ? "form-error" : "muted";
  out.textContent = msg || "";
}

// After a screen is drawn: the page title names it, and focus moves to its heading unless
// the screen put it somewhere itself (the search box), so a screen reader starts there.
export function settle() {
  const h = main().querySelector("h1");
  document.title = (h ? h.textContent.trim() + " — " : "") + "ChartVault";
  if (h && !main().contains(document.activeElement)) {
    h.tabIndex = -1;
    h.focus({ preventScroll: true });
  }
}

// Re-renders the page, then shows `msg` (a message set before route() would be cleared).
export function reloadWith(msg) { S.next = msg; route(); }

// The router (app.js) registers itself: views re-render through it.
let router = () => {};
export function setRouter(f) { router = f; }
export function route() { return router(); }

export function flash(msg, isError) {
  const f = document.getElementById("flash");
  f.className = isError ? "error" : "";
  f.setAttribute("role", isError ? "alert" : "status");
  f.textContent = msg || "";
}

export async function api(method, path, body, raw) {
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

export const can = (p) => !!(S.me && S.me.permissions.includes(p));
export const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== "" && v !== null && v !== undefined && v !== false)).toString();

export function parseHash() {
  const h = location.hash.replace(/^#\/?/, "");
  const [path, query] = h.split("?");
  return { parts: (path || "search").split("/").map(decodeURIComponent), params: new URLSearchParams(query || "") };
}

export async function logout() {
  try { await api("DELETE", "/session"); } catch (_) { /* already gone */ }
  S.me = null; location.hash = "#/login"; route();
}

export function renderNav() {
  const nav = document.getElementById("nav"), who = document.getElementById("who");
  nav.replaceChildren(); who.replaceChildren();
  if (!S.me) return;
  const cur = parseHash().parts[0];
  const link = (href, text, key) => el("a", { href, class: cur === key ? "active" : null, id: "nav-" + key }, text);
  nav.append(link("#/search", "Search", "search"));
  nav.append(link("#/patients", "Patients", "patients"));
  if (can("ingest")) nav.append(link("#/ingest", "Ingest & QA", "ingest"));
  if (can("release")) nav.append(link("#/release", `Release (${S.release.length})`, "release"));
  if (can("retention_read")) nav.append(link("#/retention", "Retention desk", "retention"));
  if (can("audit")) nav.append(link("#/audit", "Audit log", "audit"));
  if (can("admin")) nav.append(link("#/users", "Users", "users"));
  who.append(`${S.me.username} (${S.me.role.replace("_", " ")})`,
    el("button", { class: "secondary", id: "logout", onclick: logout }, "Log out"));
}

// Document types and their labels come from the server (GET /document-types): the one list
// the API accepts. Loaded once per login (see route()).
export const STATUSES = ["retained", "eligible", "on_hold", "indeterminate", "permanent"];
export const typeLabel = (t) => { const x = (S.types || []).find((y) => y.value === t); return x ? x.label : label(t); };
export const typeOptions = (selected) => (S.types || []).map((t) => el("option", { value: t.value, selected: selected === t.value }, t.label));
export const label = (s) => String(s || "").replace(/_/g, " ");
// A timestamp as people read it: "2045-01-31 20:45 UTC".
export const when = (t) => { const d = new Date(t); return isNaN(d) ? String(t || "-") : d.toISOString().slice(0, 16).replace("T", " ") + " UTC"; };

export function marked(text, ranges) {
  const out = []; let last = 0;
  for (const [a, b] of ranges || []) {
    if (a < last || b > text.length) continue;
    out.push(text.slice(last, a), el("mark", {}, text.slice(a, b))); last = b;
  }
  out.push(text.slice(last));
  return out;
}

// Snippet byte offsets (from the server) to string offsets.
export function byteRangesToChars(text, ranges) {
  const enc = new TextEncoder(); const map = []; let bytes = 0;
  for (let i = 0; i < text.length; i++) { map[bytes] = i; bytes += enc.encode(text[i]).length; }
  map[bytes] = text.length;
  return (ranges || []).map(([a, b]) => [map[a] ?? 0, map[b] ?? text.length]);
}

// The documents picked for a release, with what the release screen shows of each (type,
// date of service, patient), kept for this browser tab only.
export function toggleRelease(id, info) {
  const i = S.release.indexOf(id);
  if (i >= 0) { S.release.splice(i, 1); delete S.releaseInfo[id]; }
  else { S.release.push(id); if (info) S.releaseInfo[id] = info; }
  sessionStorage.setItem("cv-release", JSON.stringify(S.release));
  renderNav();
}

export function clearRelease() {
  S.release = []; S.releaseInfo = {};
  sessionStorage.setItem("cv-release", "[]");
  renderNav();
}

export function gonePanel(e) {
  return el("div", { class: "panel denied", id: "gone" }, e.message, e.certificate_id && can("retention_read") ? el("p", {}, el("a", { href: `/api/v1/certificates/${encodeURIComponent(e.certificate_id)}?format=html`, target: "_blank" }, "Certificate of destruction " + e.certificate_id)) : null);
}


// The same QA fix on several documents, one request each: what it says is done, and why
// any was not ("Set to X: 3 of 4 documents. Not done: ...").
export async function fixEach(ids, body, what) {
  let done = 0; const failed = [];
  for (const id of ids) {
    try { await api("PATCH", "/documents/" + encodeURIComponent(id), body); done++; } catch (e) { failed.push(`${id}: ${e.message}`); }
  }
  return { text: `${what}: ${done} of ${ids.length} documents.${failed.length ? " Not done: " + failed.join("; ") : ""}`, failed: failed.length > 0 };
}
