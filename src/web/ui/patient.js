// Patients: look one up by name and/or date of birth; a patient's documents, accounting of
// disclosures, a hold on all of them.

import { S, main, el, api, can, qs, when, typeLabel, field } from "./core.js";
import { holdForm } from "./document.js";

export async function viewPatient(mrn) {
  let r;
  try { r = await api("GET", "/patients/" + encodeURIComponent(mrn) + "/documents"); }
  catch (e) { main().replaceChildren(el("div", { class: "panel denied" }, e.message)); return; }
  if (!r.total) {
    main().replaceChildren(el("div", { class: "panel", id: "patient-unknown" }, el("h1", {}, `No documents for Medical Record Number ${r.mrn}`),
      el("p", {}, "The archive holds no live document with this number. Check it, or ", el("a", { href: "#/patients" }, "look the patient up by name and date of birth"), ".")));
    return;
  }
  const rows = r.documents.map((d) => el("tr", {}, el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(d.doc_id)}` }, typeLabel(d.doc_type))), el("td", {}, d.service_date || "-"), el("td", {}, d.pages.length), el("td", { class: "muted small" }, d.doc_id)));
  const panels = [el("div", { class: "panel", id: "patient" }, el("h1", {}, r.name || "Patient (name not read)"),
    el("p", { id: "patient-ids" }, `Medical Record Number ${r.mrn} · Date of Birth ${r.dob || "not read"} · ${r.total} documents`),
    r.dobs && r.dobs.length > 1 ? el("p", { class: "warn-text", id: "patient-dobs" }, `The documents read different dates of birth: ${r.dobs.join(", ")}. Check them.`) : null,
    el("table", {}, el("caption", { class: "visually-hidden" }, "Documents of the patient, newest first"),
      el("tr", {}, ["Document", "Date of Service", "Pages", "Id"].map((h) => el("th", { scope: "col" }, h))), rows))];
  if (can("release")) {
    const acc = await api("GET", "/patients/" + encodeURIComponent(mrn) + "/disclosures");
    panels.push(el("div", { class: "panel", id: "accounting" }, el("h2", {}, "Accounting of Disclosures"),
      acc.disclosures.length ? accountingTable(acc.disclosures, true) : el("p", { class: "muted" }, "No disclosures recorded."),
      el("p", {}, el("a", { href: `#/patient/${encodeURIComponent(mrn)}/accounting`, class: "button secondary", id: "accounting-report" }, "Accounting of Disclosures report (to print for the patient)"))));
  }
  if (can("hold")) panels.push(el("div", { class: "panel" }, holdForm({ kind: "mrn", mrn }, "Hold every document of this patient")));
  main().replaceChildren(...panels);
}


const BASIS = {
  patient_request: "Patient's request", treatment: "Treatment", payment: "Payment", operations: "Health care operations",
  authorization: "Signed authorization", legal: "Court order or subpoena",
};

function accountingTable(list, withDownload) {
  return el("table", { class: "accounting" }, el("caption", { class: "visually-hidden" }, "Disclosures of the patient's records"),
    el("tr", {}, ["Date", "Requested by", "Released to", "Purpose", "Basis", "Documents", "Released by", "Release"].map((h) => el("th", { scope: "col" }, h))),
    list.map((x) => el("tr", {}, el("td", {}, when(x.at)), el("td", {}, x.requester || "-"), el("td", {}, x.recipient), el("td", {}, x.purpose),
      el("td", {}, x.basis ? BASIS[x.basis] || x.basis : "-", x.authorization_expires ? el("div", { class: "muted small" }, `authorization expires ${x.authorization_expires}`) : null),
      el("td", {}, x.documents.map((d) => `${typeLabel(d.doc_type)}${d.service_date ? ", " + d.service_date : ""}`).join("; ")), el("td", {}, x.user),
      el("td", {}, x.id, withDownload ? el("div", {}, el("a", { href: `/api/v1/releases/${encodeURIComponent(x.id)}/pdf`, download: `${x.id}.pdf` }, "Download again")) : null))));
}

// The accounting of disclosures as a page to print and hand to the patient (HIPAA 164.528).
export async function viewAccounting(mrn) {
  const [p, acc] = await Promise.all([
    api("GET", "/patients/" + encodeURIComponent(mrn) + "/documents"),
    api("GET", "/patients/" + encodeURIComponent(mrn) + "/disclosures"),
  ]);
  main().replaceChildren(el("div", { class: "panel report", id: "accounting-print" },
    el("h1", {}, "Accounting of Disclosures"),
    el("p", {}, `Patient: ${p.name || "(name not read)"} · Medical Record Number ${acc.mrn} · Date of Birth ${p.dob || "not read"}`),
    el("p", { class: "muted" }, `Prepared ${when(acc.generated_at)} by ${S.me.username}. Lists every release of information from this archive of the patient's records.`),
    acc.disclosures.length ? accountingTable(acc.disclosures, false) : el("p", {}, "No disclosures of this patient's records are recorded."),
    el("div", { class: "actions no-print" }, el("button", { type: "button", id: "accounting-print-button", onclick: () => window.print() }, "Print"),
      el("a", { href: `#/patient/${encodeURIComponent(mrn)}`, class: "button secondary" }, "Back to the patient"))));
}

// Look a patient up by name and/or date of birth; each match opens the patient. What was
// typed stays in this page's memory, never in the address (browser history keeps that).
export async function viewPatients() {
  const f = S.lookup || {};
  const name = field("lookup-name", "Name (any order, e.g. smith john)", { value: f.name || "", size: 28 });
  const dob = field("lookup-dob", "Date of Birth", { type: "date", value: f.dob || "" });
  const form = el("form", { class: "inline", id: "lookup", onsubmit: (ev) => { ev.preventDefault(); S.lookup = { name: name.input.value.trim(), dob: dob.input.value }; viewPatients(); } },
    name.label, dob.label, el("button", { type: "submit", id: "lookup-submit" }, "Find patient"));
  const out = el("div", { id: "lookup-result" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Find a patient"), form), out);
  if (!f.name && !f.dob) { name.input.focus(); return; }
  let r;
  try { r = await api("GET", "/patients?" + qs({ name: f.name, dob: f.dob })); }
  catch (e) { out.append(el("div", { class: "panel denied", role: "alert" }, e.message)); return; }
  out.append(el("div", { class: "panel" },
    el("h2", {}, "Patients found"),
    el("p", { role: "status", id: "lookup-count" }, r.patients.length ? `${r.patients.length} patients found.` : "No patient found. Check the spelling, or try the date of birth alone."),
    r.truncated ? el("p", { class: "muted" }, "Many documents matched; the list may be incomplete. Add the date of birth to narrow it.") : null,
    r.patients.length ? el("table", { id: "lookup-table" }, el("caption", { class: "visually-hidden" }, "Patients found"),
      el("tr", {}, ["Patient", "Medical Record Number", "Date of Birth", "Documents", "Latest Date of Service"].map((h) => el("th", { scope: "col" }, h))),
      r.patients.map((p) => el("tr", {}, el("td", {}, el("a", { href: `#/patient/${encodeURIComponent(p.mrn)}` }, p.name || "(name not read)")), el("td", {}, p.mrn), el("td", {}, p.dob || "-"), el("td", {}, p.documents), el("td", {}, p.last_service || "-")))) : null));
}
