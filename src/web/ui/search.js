// Search: free text with filters and facets, hits with snippets.

import { S, main, el, api, can, qs, label, typeLabel, typeOptions, STATUSES, marked, byteRangesToChars, toggleRelease } from "./core.js";

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
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Search the archive"), form), results);
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
  for (const h of r.hits) {
    const chars = byteRangesToChars(h.snippet, h.highlights);
    list.append(el("div", { class: "result" },
      el("a", { class: "hit-link", href: `#/doc/${encodeURIComponent(h.doc_id)}?q=${encodeURIComponent(f.q || "")}` }, `${typeLabel(h.doc_type)} — ${h.service_date || "no date"}`),
      el("div", { class: "meta" }, h.patient_name || "unknown patient", " · MRN ", h.mrn ? el("a", { href: `#/patient/${encodeURIComponent(h.mrn)}` }, h.mrn) : "-", ` · ${h.pages.length} pages · ${h.doc_id}`,
        can("release") ? el("label", { style: "display:inline;margin-left:1em" }, el("input", { type: "checkbox", checked: S.release.includes(h.doc_id), onchange: () => toggleRelease(h.doc_id, { doc_type: h.doc_type, service_date: h.service_date, name: h.patient_name, mrn: h.mrn }) }), " release") : null),
      el("div", { class: "snippet" }, marked(h.snippet.replace(/\s+/g, " "), chars.length ? chars : []))));
  }
  const pager = el("div", { class: "actions" });
  const go = (o) => () => { const p = new URLSearchParams(params); p.set("offset", o); location.hash = "#/search?" + p; };
  if (offset > 0) pager.append(el("button", { class: "secondary", onclick: go(Math.max(0, offset - 20)) }, "Previous"));
  if (offset + r.hits.length < r.total) pager.append(el("button", { class: "secondary", onclick: go(offset + 20) }, "Next"));
  list.append(pager);
  results.append(el("div", { class: "layout" }, facets, list));
}

