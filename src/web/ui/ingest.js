// Ingest: uploads (a result line per file; drop files on the page or pick them), jobs with
// progress and a link to the documents each archived, and the QA queue (whose document it
// is, a preview, why it waits; open one after another, confirm or reclassify several).

import { S, main, el, api, can, qs, flash, parseHash, label, typeLabel, say, fixEach } from "./core.js";

export let ingestTimer = null;

const STATE_WORDS = { queued: "Waiting", running: "Reading pages", done: "Archived", failed: "Quarantined", error: "Could not run (file kept)" };

export async function viewIngest() {
  if (!can("ingest")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "Your role does not include ingest.")); return; }
  const files = el("input", { id: "upload-files", type: "file", multiple: true, accept: ".pdf,.tif,.tiff,.png,.jpg,.jpeg,.gif,.bmp,.webp" });
  const results = el("ul", { id: "upload-results", class: "results", "aria-live": "polite" });
  const send = async (list) => {
    for (const f of list) {
      const line = el("li", {}, `${f.name}: sending…`);
      results.append(line);
      try { await api("POST", "/ingest?" + qs({ filename: f.name }), undefined, f); line.replaceChildren(el("span", { class: "badge" }, "queued"), ` ${f.name}`); }
      // Announced at once; the alert sits inside the list item (a list holds only items).
      catch (e) { line.replaceChildren(el("span", { role: "alert" }, el("span", { class: "badge bad" }, "refused"), ` ${e.message.startsWith(f.name) ? "" : f.name + ": "}${e.message}`)); }
    }
    refresh().catch(() => {});
  };
  const form = el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); send([...files.files]); files.value = ""; } },
    el("label", { for: "upload-files" }, "Scans to ingest (PDF, TIFF, images)", files), el("button", { type: "submit", id: "upload-submit" }, "Upload"));
  const drop = el("div", { id: "drop-zone", class: "drop-zone" }, "…or drop scan files here");
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => { ev.preventDefault(); drop.classList.remove("over"); send([...ev.dataTransfer.files]); });
  const jobs = el("div", { id: "jobs" }), qa = el("div", { id: "qa" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Ingest and QA"), form, drop, results),
    el("div", { class: "panel" }, el("h2", {}, "Jobs"), jobs), el("div", { class: "panel" }, el("h2", {}, "QA queue"), qa));
  let qaShown = "", finishedSeen = null;
  // The queue names patients and each read of it is audited: it is read when the screen
  // opens, when a job finishes, and when the clerk asks; never on the 2-second poll alone.
  async function loadQueue() {
    const r = await api("GET", "/review");
    const key = JSON.stringify(r.items.map((i) => [i.doc_id, i.flags]));
    if (key !== qaShown) { qaShown = key; qa.replaceChildren(qaQueue(r.items.slice(0, 200), r.total, () => { qaShown = ""; loadQueue(); })); }
  }
  async function refresh() {
    if (parseHash().parts[0] !== "ingest") { clearInterval(ingestTimer); return; }
    const j = await api("GET", "/ingest/jobs");
    jobs.replaceChildren(el("p", { class: "muted" }, j.watching ? `Watching ${j.watching}. ` : "", `${j.running} running, ${j.queued} queued.`),
      j.jobs.length ? el("table", { id: "jobs-table" }, el("caption", { class: "visually-hidden" }, "Ingest jobs"),
        el("tr", {}, ["File", "From", "State", "Progress", "Documents", "Problem"].map((h) => el("th", { scope: "col" }, h))),
        j.jobs.map((x) => {
          const pct = x.pages_total ? Math.round(100 * x.pages_done / x.pages_total) : (x.finished_at ? 100 : 0);
          const kind = x.duplicate ? "duplicate" : x.state;
          const words = x.duplicate ? "Already archived (duplicate)" : STATE_WORDS[x.state] || label(x.state);
          return el("tr", { class: `job-${kind}` }, el("td", {}, x.file), el("td", {}, x.origin), el("td", {}, words),
            el("td", {}, el("span", { class: `progress ${kind}`, role: "progressbar", "aria-valuenow": pct, "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": `${x.file} progress` }, el("div", { style: `width:${pct}%` })), ` ${x.pages_done}/${x.pages_total} pages`),
            el("td", {}, (x.doc_ids || []).length ? x.doc_ids.map((id, i) => el("a", { href: `#/doc/${encodeURIComponent(id)}`, class: "doc-link" }, `document ${i + 1}`)) : String(x.documents)),
            el("td", {}, x.error || ""));
        })) : el("p", { class: "muted" }, "No jobs yet."));
    // Redrawn only when the queue changed: ticks and the type picked stay while jobs run.
    const finished = j.jobs.filter((x) => x.finished_at).length;
    if (finished !== finishedSeen) { finishedSeen = finished; await loadQueue(); }
  }
  clearInterval(ingestTimer);
  ingestTimer = setInterval(() => refresh().catch(() => {}), 2000);
  refresh().catch((e) => flash(e.message, true));
}

function qaQueue(items, total, changed) {
  const reload = el("button", { type: "button", class: "secondary", id: "qa-reload", onclick: changed }, "Refresh the queue");
  if (!items.length) return el("p", { class: "muted" }, "Nothing waits for review. ", reload);
  const picks = items.map((i) => el("input", { type: "checkbox", value: i.doc_id, "aria-label": `Select ${typeLabel(i.doc_type)} of ${i.patient_name || "unknown patient"}` }));
  const picked = () => picks.filter((p) => p.checked).map((p) => p.value);
  const out = el("p", { id: "qa-result" });
  const type = el("select", { id: "qa-bulk-type" }, (S.types || []).filter((t) => t.value !== "unclassified").map((t) => el("option", { value: t.value }, t.label)));
  const bulk = async (body, what) => {
    const ids = picked();
    if (!ids.length) { say(out, "Select documents first.", true); return; }
    // The queue is redrawn: the outcome goes to the page's message line.
    const r = await fixEach(ids, body, what);
    flash(r.text, r.failed);
    changed();
  };
  const rows = items.map((i, n) => el("tr", {},
    el("td", {}, picks[n]),
    el("td", {}, i.first_page ? el("img", { class: "thumb", src: `/api/v1/documents/${encodeURIComponent(i.doc_id)}/pages/${i.first_page}/thumbnail`, alt: "", loading: "lazy" }) : null),
    el("td", {}, el("a", { href: `#/doc/${encodeURIComponent(i.doc_id)}?qa=1`, class: "qa-open" }, i.patient_name || "(name not read)"), el("div", { class: "muted small" }, i.mrn ? `MRN ${i.mrn}` : "MRN not read")),
    el("td", {}, typeLabel(i.doc_type), el("div", { class: "muted small" }, `${Math.round(i.doc_type_confidence * 100)}% sure`)),
    el("td", {}, i.service_date || "not read"), el("td", {}, i.pages),
    el("td", {}, i.flags.map((f) => el("span", { class: "badge warn" }, label(f))))));
  return el("div", {},
    el("p", {}, `${total} documents wait for a person${total > items.length ? ` (the oldest ${items.length} listed)` : ""}. `,
      el("a", { href: `#/doc/${encodeURIComponent(items[0].doc_id)}?qa=1`, class: "button", id: "qa-start" }, "Review them one after another"), " ", reload),
    el("table", { id: "qa-table" }, el("caption", { class: "visually-hidden" }, "Documents waiting for review"),
      el("tr", {}, el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Select")), ["Preview", "Patient", "Type", "Date of Service", "Pages", "Why"].map((h) => el("th", { scope: "col" }, h))), rows),
    el("div", { class: "inline actions" },
      el("button", { type: "button", class: "secondary", id: "qa-bulk-confirm", onclick: () => bulk({ confirm: true }, "Confirmed") }, "Confirm selected as they are"),
      el("label", { for: "qa-bulk-type" }, "Type for selected", type),
      el("button", { type: "button", class: "secondary", id: "qa-bulk-reclassify", onclick: () => bulk({ doc_type: type.value, confirm: true }, `Set to ${typeLabel(type.value)}`) }, "Set type of selected")),
    out);
}

// The QA item after `docId` in the queue, or none: the viewer's "Next in QA queue".
export async function nextInQueue(docId) {
  const r = await api("GET", "/review");
  const ids = r.items.map((i) => i.doc_id);
  const at = ids.indexOf(docId);
  return ids.find((id, n) => n > at && id !== docId) || ids.find((id) => id !== docId) || null;
}

