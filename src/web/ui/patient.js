// Patients: look one up by name and/or date of birth; a patient's documents, accounting of
// disclosures, a hold on all of them.

import { main, el, api, can, qs, typeLabel, field } from "./core.js";
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
    panels.push(el("div", { class: "panel", id: "accounting" }, el("h2", {}, "Accounting of disclosures"),
      acc.disclosures.length ? el("table", {}, el("tr", {}, el("th", {}, "Date"), el("th", {}, "Recipient"), el("th", {}, "Purpose"), el("th", {}, "Documents"), el("th", {}, "Released by"), el("th", {}, "Id")),
        acc.disclosures.map((x) => el("tr", {}, el("td", {}, x.at), el("td", {}, x.recipient), el("td", {}, x.purpose), el("td", {}, x.documents.map((d) => `${typeLabel(d.doc_type)} ${d.service_date || ""}`).join("; ")), el("td", {}, x.user), el("td", {}, x.id))))
        : el("p", { class: "muted" }, "No disclosures recorded.")));
  }
  if (can("hold")) panels.push(el("div", { class: "panel" }, holdForm({ kind: "mrn", mrn }, "Hold every document of this patient")));
  main().replaceChildren(...panels);
}


// Look a patient up by name and/or date of birth; each match opens the patient.
export async function viewPatients(params) {
  const f = Object.fromEntries(params.entries());
  const name = field("lookup-name", "Name (any order, e.g. smith john)", { value: f.name || "", size: 28 });
  const dob = field("lookup-dob", "Date of Birth", { type: "date", value: f.dob || "" });
  const form = el("form", { class: "inline", id: "lookup", onsubmit: (ev) => { ev.preventDefault(); location.hash = "#/patients?" + qs({ name: name.input.value.trim(), dob: dob.input.value }); } },
    name.label, dob.label, el("button", { type: "submit", id: "lookup-submit" }, "Find patient"));
  const out = el("div", { id: "lookup-result" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Find a patient"), form), out);
  if (!f.name && !f.dob) { name.input.focus(); return; }
  let r;
  try { r = await api("GET", "/patients?" + qs({ name: f.name, dob: f.dob })); }
  catch (e) { out.append(el("div", { class: "panel denied", role: "alert" }, e.message)); return; }
  out.append(el("div", { class: "panel" },
    el("h2", { role: "status" }, r.patients.length ? `${r.patients.length} patients found` : "No patient found. Check the spelling, or try the date of birth alone."),
    r.truncated ? el("p", { class: "muted" }, "Many documents matched; the list may be incomplete. Add the date of birth to narrow it.") : null,
    r.patients.length ? el("table", { id: "lookup-table" }, el("caption", { class: "visually-hidden" }, "Patients found"),
      el("tr", {}, ["Patient", "Medical Record Number", "Date of Birth", "Documents", "Latest Date of Service"].map((h) => el("th", { scope: "col" }, h))),
      r.patients.map((p) => el("tr", {}, el("td", {}, el("a", { href: `#/patient/${encodeURIComponent(p.mrn)}` }, p.name || "(name not read)")), el("td", {}, p.mrn), el("td", {}, p.dob || "-"), el("td", {}, p.documents), el("td", {}, p.last_service || "-")))) : null));
}
