// The retention desk: report, legal holds, purge jobs and their review.

import { S, main, el, api, can, flash, reloadWith, route, label, when, typeLabel } from "./core.js";

// A class as a person reads it: its description, with its code.
function classText(report, id) {
  const c = (report.classes || []).find((x) => x.id === id);
  return c ? [c.description, el("div", { class: "muted small" }, id)] : id;
}

export async function viewRetention(params) {
  if (!can("retention_read")) {
    main().replaceChildren(el("div", { class: "denied", id: "denied" }, "You do not have access to the retention desk. It is for retention officers and approvers."));
    return;
  }
  const jobId = params.get("job");
  if (jobId) return viewJob(jobId);
  const holdId = params.get("hold");
  if (holdId) return viewHold(holdId);
  const [report, holds, jobs] = await Promise.all([api("GET", "/retention/report"), api("GET", "/holds"), api("GET", "/purge-jobs")]);
  const rep = el("div", { class: "panel", id: "retention-report" }, el("h1", {}, "Retention desk"), el("p", { class: "muted" }, `As of ${report.as_of}, schedule ${report.schedule}`),
    el("table", {}, el("tr", {}, el("th", {}, "Class"), el("th", {}, "Status"), el("th", {}, "Year"), el("th", {}, "Documents")),
      report.counts.map((c) => el("tr", {}, el("td", {}, classText(report, c.class)), el("td", {}, label(c.status)), el("td", {}, c.service_year), el("td", {}, c.documents)))),
    report.next_eligible.length ? el("p", {}, "Next eligible: ", report.next_eligible.map((n) => `${n.eligible_on} (${n.documents})`).join(", ")) : null);
  const scopeText = (h) => h.patient ? `Patient ${h.patient.name || "(name unknown)"} · MRN ${h.patient.mrn || "(no document yet)"}` : h.scope.kind === "document" ? `Document ${h.scope.doc_id}` : h.scope.kind === "query" ? `Saved search "${h.scope.text}"` : `Class ${h.scope.class}, service ${h.scope.from} to ${h.scope.to}`;
  const holdRows = holds.holds.map((h) => el("tr", {}, el("td", {}, el("a", { href: `#/retention?hold=${encodeURIComponent(h.id)}`, id: `hold-link-${h.id}` }, h.id)), el("td", {}, h.matter), el("td", {}, scopeText(h)), el("td", {}, String(h.covers)), el("td", {}, `${h.placed_by}, ${when(h.placed_at)}`),
    el("td", {}, can("hold") ? el("button", { class: "secondary", onclick: async () => { const reason = prompt("Reason for releasing " + h.id); if (!reason) return; try { await api("POST", `/holds/${encodeURIComponent(h.id)}/release`, { reason }); route(); } catch (e) { flash(e.message, true); } } }, "Release") : "")));
  const holdPanel = el("div", { class: "panel", id: "holds" }, el("h2", {}, "Legal holds"), holds.holds.length ? el("table", {}, el("tr", {}, el("th", {}, "Id"), el("th", {}, "Matter"), el("th", {}, "Covers"), el("th", {}, "Documents"), el("th", {}, "Placed"), el("th", {})), holdRows) : el("p", { class: "muted" }, "No active holds."));
  if (can("hold")) {
    const mrn = el("input", { id: "hold-mrn-value", placeholder: "MRN", "aria-label": "Medical Record Number of the patient to hold" });
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

export async function viewJob(id) {
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


// One legal hold: what it covers and every document it holds.
async function viewHold(id) {
  const h = await api("GET", "/holds/" + encodeURIComponent(id));
  const scope = h.patient ? `Patient ${h.patient.name || "(name not read)"} · Medical Record Number ${h.patient.mrn || "(no document yet)"}`
    : h.scope.kind === "document" ? `Document ${h.scope.doc_id}` : h.scope.kind === "query" ? `Saved search "${h.scope.text}"` : `Class ${h.scope.class}, service ${h.scope.from} to ${h.scope.to}`;
  const held = h.held || [];
  main().replaceChildren(el("div", { class: "panel", id: "hold" },
    el("h1", {}, `Legal Hold ${h.id}`),
    el("p", {}, `Matter: ${h.matter} · Reason: ${h.reason}`),
    el("p", {}, `Covers: ${scope}`),
    el("p", { class: "muted" }, `Placed by ${h.placed_by}, ${when(h.placed_at)}`, h.released_at ? ` · released by ${h.released_by}, ${when(h.released_at)}: ${h.release_reason || ""}` : ""),
    el("h2", {}, `${h.covers} documents held`),
    held.length ? el("table", { id: "hold-documents" }, el("caption", { class: "visually-hidden" }, "Documents the hold covers"),
      el("tr", {}, ["Document", "Date of Service", "Patient", "Medical Record Number"].map((x) => el("th", { scope: "col" }, x))),
      held.map((d) => el("tr", {}, el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(d.doc_id)}` }, typeLabel(d.doc_type))), el("td", {}, d.service_date || "-"), el("td", {}, d.patient_name || "-"), el("td", {}, d.mrn || "-"))))
      : el("p", { class: "muted" }, "No document is covered yet; documents that match later are held as they arrive."),
    h.covers > held.length ? el("p", { class: "muted" }, `The first ${held.length} are listed.`) : null,
    el("p", {}, el("a", { href: "#/retention", class: "button secondary" }, "Back to the retention desk"))));
}
