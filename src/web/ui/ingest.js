// Ingest: uploads, jobs with progress, the QA queue.

import { main, el, api, can, qs, flash, parseHash, label, typeLabel } from "./core.js";

export let ingestTimer = null;
export async function viewIngest() {
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

