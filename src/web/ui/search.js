// Search: free text with filters and facets, hits with snippets.

import { S, main, el, api, can, qs, flash, reloadWith, label, typeLabel, typeOptions, STATUSES, marked, byteRangesToChars, toggleRelease, fixEach } from "./core.js";

export async function viewSearch(params) {
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
  const saved = el("div", { id: "saved-searches", class: "saved" });
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Search the archive"), form, saved), results);
  savedSearches(saved, params).catch(() => {});
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
  // Several hits at once: pick them, then add to a release, set their type, or confirm them.
  const picks = [];
  if (r.hits.length && (can("release") || can("ingest"))) list.append(bulkBar(r.hits, picks));
  for (const h of r.hits) {
    const chars = byteRangesToChars(h.snippet, h.highlights);
    const pick = el("input", { type: "checkbox", class: "pick", value: h.doc_id, "aria-label": `Select ${typeLabel(h.doc_type)} of ${h.patient_name || "unknown patient"}, ${h.service_date || "no date"}` });
    picks.push([pick, h]);
    list.append(el("div", { class: "result" }, (can("release") || can("ingest")) ? pick : null, " ",
      el("a", { class: "hit-link", href: `#/doc/${encodeURIComponent(h.doc_id)}?q=${encodeURIComponent(f.q || "")}` }, `${typeLabel(h.doc_type)} — ${h.service_date || "no date"}`),
      el("div", { class: "meta" }, h.patient_name || "unknown patient", " · MRN ", h.mrn ? el("a", { href: `#/patient/${encodeURIComponent(h.mrn)}` }, h.mrn) : "-", ` · ${h.pages.length} page${h.pages.length === 1 ? "" : "s"} · ${h.doc_id}`,
        S.release.includes(h.doc_id) ? el("span", { class: "badge" }, "in release") : null),
      el("div", { class: "snippet" }, marked(h.snippet.replace(/\s+/g, " "), chars.length ? chars : []))));
  }
  const pager = el("div", { class: "actions" });
  const go = (o) => () => { const p = new URLSearchParams(params); p.set("offset", o); location.hash = "#/search?" + p; };
  if (offset > 0) pager.append(el("button", { class: "secondary", onclick: go(Math.max(0, offset - 20)) }, "Previous"));
  if (offset + r.hits.length < r.total) pager.append(el("button", { class: "secondary", onclick: go(offset + 20) }, "Next"));
  list.append(pager);
  results.append(el("div", { class: "layout" }, facets, list));
}


function bulkBar(hits, picks) {
  const picked = () => picks.filter(([p]) => p.checked).map(([, h]) => h);
  const all = el("input", { type: "checkbox", id: "pick-all", onchange: () => picks.forEach(([p]) => { p.checked = all.checked; }) });
  const bar = el("div", { class: "inline actions bulk", id: "bulk-actions" }, el("label", { for: "pick-all", class: "check" }, all, " Select all on this page"));
  const need = () => { const h = picked(); if (!h.length) flash("Select documents first.", true); return h; };
  if (can("release")) {
    bar.append(el("button", { type: "button", class: "secondary", id: "bulk-release", onclick: () => {
      const h = need(); if (!h.length) return;
      let added = 0;
      for (const x of h) if (!S.release.includes(x.doc_id)) { toggleRelease(x.doc_id, { doc_type: x.doc_type, service_date: x.service_date, name: x.patient_name, mrn: x.mrn }); added++; }
      flash(`${added} documents added to the release (${S.release.length} in it now).`);
    } }, "Add to release"));
  }
  if (can("ingest")) {
    const type = el("select", { id: "bulk-type", "aria-label": "Type to set" }, (S.types || []).filter((t) => t.value !== "unclassified").map((t) => el("option", { value: t.value }, t.label)));
    const run = async (body, what) => {
      const h = need(); if (!h.length) return;
      reloadWith((await fixEach(h.map((x) => x.doc_id), body, what)).text);
    };
    bar.append(type, el("button", { type: "button", class: "secondary", id: "bulk-reclassify", onclick: () => run({ doc_type: type.value, confirm: true }, `Set to ${typeLabel(type.value)}`) }, "Set type"),
      el("button", { type: "button", class: "secondary", id: "bulk-confirm", onclick: () => run({ confirm: true }, "Confirmed as they are") }, "Confirm"));
  }
  return bar;
}

// The user's saved searches as links, each with a delete button; and the search on screen
// kept under a name.
async function savedSearches(box, params) {
  const r = await api("GET", "/saved-searches");
  const current = new URLSearchParams(params);
  current.delete("offset");
  const query = current.toString();
  const list = r.saved.map((s) => el("span", { class: "saved-item" },
    el("a", { href: "#/search?" + s.query, class: "saved-link" }, s.name),
    el("button", { type: "button", class: "link-button", "aria-label": `Delete the saved search ${s.name}`, onclick: async () => {
      try { await api("DELETE", `/saved-searches/${s.id}`); reloadWith(`Saved search "${s.name}" deleted.`); } catch (e) { flash(e.message, true); }
    } }, "×")));
  const name = el("input", { id: "save-name", size: 18, "aria-label": "Name for this search", placeholder: "name it (no patient details)" });
  const keep = query ? el("form", { class: "inline", id: "save-search", onsubmit: async (ev) => {
    ev.preventDefault();
    try { const x = await api("POST", "/saved-searches", { name: name.value, query }); reloadWith(`Search saved as "${x.name}".`); } catch (e) { flash(e.message, true); }
  } }, name, el("button", { type: "submit", class: "secondary", id: "save-submit" }, "Save this search")) : null;
  box.replaceChildren(list.length ? el("span", { class: "muted" }, "Saved searches: ") : null, ...list, keep);
}
