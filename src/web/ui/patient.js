// A patient: their documents, accounting of disclosures, a hold on all of them.

import { main, el, api, can, typeLabel } from "./core.js";
import { holdForm } from "./document.js";

export async function viewPatient(mrn) {
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

