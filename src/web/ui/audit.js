// The audit log: who did what to which patient's records, by patient (MRN), user, action
// and days, a page at a time, with a CSV export of what is shown.

import { main, el, api, can, qs, label, when, field } from "./core.js";

// Actions in the words of a records department; anything else is shown as written.
const ACTIONS = {
  view: "Viewed document",
  view_page: "Viewed a page",
  view_image: "Viewed a page image",
  view_text: "Read document text",
  view_patient: "Opened patient",
  search: "Searched",
  download: "Downloaded original",
  original_redacted: "Downloaded original (other documents blanked)",
  release: "Release of information",
  accounting: "Accounting of disclosures",
  reclassify: "Changed document type",
  correct_patient: "Corrected patient",
  review_confirm: "Confirmed after review",
  split_document: "Split document",
  merge_documents: "Merged documents",
  hold_place: "Placed legal hold",
  hold_release: "Released legal hold",
  view_hold: "Viewed legal hold",
  view_holds: "Viewed legal holds",
  purge_plan: "Planned purge",
  purge_review: "Reviewed purge job",
  purge_approve: "Approved purge",
  purge_executing: "Started purge",
  purge_verified: "Verified purge",
  purge_certified: "Certified destruction",
  purge_cancelled: "Cancelled purge",
  purge_destroy: "Destroyed document",
  purge_skip: "Skipped in purge",
  retention_sweep: "Daily retention check",
  upload: "Uploaded scan",
  ingest: "Ingested scan",
  quarantine_export: "Exported quarantined scan",
  export: "Exported archive",
  backup: "Backed up",
  restore: "Restored",
  login: "Logged in",
  login_failed: "Failed login",
  logout: "Logged out",
  user_add: "Added user",
  user_update: "Changed user",
  user_disable: "Disabled user",
  user_unlock: "Unlocked user",
  audit_search: "Searched the audit log for a patient",
  audit_view: "Read the audit log",
  rotate_page: "Turned a page and read it again",
  download_pdf: "Downloaded document (PDF)",
  release_download: "Downloaded a past release again",
  patient_lookup: "Looked up patients",
  view_review_queue: "Opened the QA queue",
  audit_export: "Exported the audit log",
};
const actionText = (a) => ACTIONS[a] || label(a);

// A detail object as short "name: value" lines (lists shortened), never raw JSON.
function detailText(d) {
  if (d === null || d === undefined) return "";
  if (typeof d !== "object") return String(d);
  return Object.entries(d).map(([k, v]) => {
    let s;
    if (Array.isArray(v)) s = v.length > 4 ? `${v.slice(0, 4).join(", ")} and ${v.length - 4} more` : v.join(", ");
    else if (v && typeof v === "object") s = Object.entries(v).map(([a, b]) => `${label(a)} ${typeof b === "object" ? JSON.stringify(b) : b}`).join(", ");
    else s = String(v);
    return `${label(k)}: ${s}`;
  }).join("\n");
}

export async function viewAudit(params) {
  if (!can("audit")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "The audit log is for administrators.")); return; }
  const f = Object.fromEntries(params.entries());
  const mrn = field("audit-mrn", "Patient (Medical Record Number)", { value: f.mrn || "", size: 14 });
  const user = field("audit-user", "User", { value: f.user || "", size: 12 });
  const action = el("select", { id: "audit-action" }, el("option", { value: "" }, "any action"),
    Object.entries(ACTIONS).map(([v, t]) => el("option", { value: v, selected: f.action === v }, t)));
  const from = field("audit-from", "From", { type: "date", value: f.from || "" });
  const to = field("audit-to", "To", { type: "date", value: f.to || "" });
  const filters = { mrn: f.mrn, user: f.user, action: f.action, from: f.from, to: f.to };
  const form = el("form", {
    class: "inline", id: "audit-filter", onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = "#/audit?" + qs({ mrn: mrn.input.value.trim(), user: user.input.value.trim(), action: action.value, from: from.input.value, to: to.input.value });
    }
  }, mrn.label, user.label, el("label", { for: "audit-action" }, "Action", action), from.label, to.label,
    el("button", { type: "submit", id: "audit-submit" }, "Show entries"),
    el("a", { href: "#/audit", class: "button secondary" }, "Clear"));
  const out = el("div", { id: "audit-entries" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Audit log"),
    el("p", { class: "muted" }, "Every view, search, release, change and login, with who did it and when. Ask by patient to see who looked at their chart."), form), out);
  let r;
  try { r = await api("GET", "/audit?" + qs({ ...filters, before: f.before, limit: 100 })); }
  catch (e) { out.append(el("div", { class: "panel denied", role: "alert" }, e.message)); return; }
  const exportHref = "/api/v1/audit/export?" + qs({ ...filters, before: f.before, limit: 10000 });
  const rows = r.entries.slice().reverse().map((e) => el("tr", {},
    el("td", {}, when(e.at)), el("td", {}, e.user), el("td", {}, actionText(e.action)),
    el("td", {}, e.subject_label || e.subject, e.subject_label ? el("div", { class: "muted small" }, e.subject) : null),
    el("td", { class: "detail" }, detailText(e.detail)), el("td", { class: "muted small" }, e.seq)));
  const pager = el("div", { class: "actions" },
    f.before ? el("a", { href: "#/audit?" + qs(filters), class: "button secondary", id: "audit-newest" }, "Newest entries") : null,
    r.older ? el("a", { href: "#/audit?" + qs({ ...filters, before: r.older }), class: "button secondary", id: "audit-older" }, "Older entries") : null,
    el("a", { href: exportHref, class: "button secondary", id: "audit-export", download: "audit-log.csv" }, "Export these entries (CSV)"));
  out.append(el("div", { class: "panel" },
    el("h2", {}, r.entries.length ? `${r.entries.length} entries, newest first` : "No entries match."),
    r.entries.length ? el("table", { id: "audit-table" },
      el("caption", { class: "visually-hidden" }, "Audit log entries"),
      el("tr", {}, el("th", { scope: "col" }, "When"), el("th", { scope: "col" }, "User"), el("th", { scope: "col" }, "Action"), el("th", { scope: "col" }, "Patient or record"), el("th", { scope: "col" }, "Details"), el("th", { scope: "col" }, "#")), rows) : null,
    pager));
}
