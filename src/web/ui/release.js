// Release of information: the documents picked (with their patients), who asked, who
// receives them, why and on what basis (HIPAA 164.508 authorization on file and its expiry),
// then one PDF recorded in the accounting of disclosures.

import { S, main, el, api, can, typeLabel, field, say, toggleRelease, clearRelease } from "./core.js";

export const BASES = {
  patient_request: "Patient's own request (right of access)",
  treatment: "Treatment (continuity of care)",
  payment: "Payment",
  operations: "Health care operations",
  authorization: "Signed patient authorization",
  legal: "Court order or subpoena",
};
const NEEDS_DOCUMENT = ["authorization", "legal"];

export function viewRelease() {
  if (!can("release")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "Your role does not include release of information.")); return; }
  const info = (id) => S.releaseInfo[id] || {};
  const patients = [...new Set(S.release.map((id) => info(id).mrn || "(MRN not read)"))];
  const rows = S.release.map((id) => {
    const d = info(id);
    return el("tr", {}, el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(id)}` }, d.doc_type ? typeLabel(d.doc_type) : id)),
      el("td", {}, d.service_date || "-"), el("td", {}, d.name || "-"), el("td", {}, d.mrn || "-"),
      el("td", {}, el("button", { class: "secondary", type: "button", "aria-label": `Remove ${d.doc_type ? typeLabel(d.doc_type) : id} from the release`, onclick: () => { toggleRelease(id); viewRelease(); } }, "Remove")));
  });
  const requester = field("roi-requester", "Requested by (person or organization)", { required: true, size: 30 });
  const recipient = field("roi-recipient", "Released to", { required: true, size: 30 });
  const purpose = field("roi-purpose", "Purpose", { required: true, size: 30 });
  const basis = el("select", { id: "roi-basis", required: true }, el("option", { value: "" }, "choose…"), Object.entries(BASES).map(([v, t]) => el("option", { value: v }, t)));
  const onFile = el("input", { id: "roi-on-file", type: "checkbox" });
  const expires = field("roi-expires", "Authorization expires", { type: "date" });
  const several = el("input", { id: "roi-several", type: "checkbox" });
  const authBox = el("fieldset", { id: "roi-authorization" }, el("legend", {}, "Authorization (HIPAA 164.508)"),
    el("label", { for: "roi-on-file", class: "check" }, onFile, " The signed authorization, court order or subpoena is on file"), expires.label);
  const showAuth = () => { authBox.hidden = !NEEDS_DOCUMENT.includes(basis.value); };
  basis.addEventListener("change", showAuth); showAuth();
  const out = el("div", { id: "roi-result" });
  const submit = el("button", { type: "submit", id: "roi-submit", disabled: !S.release.length }, "Create release PDF");
  const form = el("form", {
    id: "roi-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const body = { doc_ids: S.release, requester: requester.input.value, recipient: recipient.input.value, purpose: purpose.input.value, basis: basis.value,
        authorization_on_file: onFile.checked, authorization_expires: expires.input.value || null, several_patients: several.checked };
      try {
        const r = await api("POST", "/releases", body);
        const id = r.headers.get("x-disclosure-id");
        const url = URL.createObjectURL(await r.blob());
        clearRelease();
        out.replaceChildren(el("div", { class: "panel ok", role: "status" }, `Release ${id} recorded in the accounting of disclosures. `,
          el("a", { href: url, download: `${id}.pdf`, id: "roi-download", class: "button" }, "Download the release PDF")));
        form.hidden = true;
      } catch (e) {
        say(out, e.message, true);
        // The server counts patients too (a document whose MRN was not read is a patient of
        // its own): when it says several, the confirmation is offered here.
        if (/different patients/.test(e.message) && !document.getElementById("roi-several-warning")) {
          form.insertBefore(el("p", { class: "warn-text", id: "roi-several-warning" }, el("label", { for: "roi-several", class: "check" }, several, " These documents belong to several patients and go to the recipient in one release")), submit);
        }
      }
    }
  }, el("div", { class: "inline" }, requester.label, recipient.label, purpose.label, el("label", { for: "roi-basis" }, "Basis for the release", basis)), authBox,
    patients.length > 1 ? el("p", { class: "warn-text", id: "roi-several-warning" }, `These documents belong to ${patients.length} different patients (${patients.join(", ")}). `,
      el("label", { for: "roi-several", class: "check" }, several, " They go to the recipient in one release")) : null,
    submit);
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Release of Information"),
    S.release.length
      ? el("table", { id: "roi-documents" }, el("caption", {}, `${S.release.length} documents to release`), el("tr", {}, ["Document", "Date of Service", "Patient", "Medical Record Number", ""].map((h) => el("th", { scope: "col" }, h))), rows)
      : el("p", { class: "muted" }, "Pick documents in search results or in the viewer (\"Add to release\")."),
    form, out));
}
