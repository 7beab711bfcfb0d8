// Release of information: the documents picked, recipient and purpose, the release PDF.

import { S, main, el, api, can, toggleRelease, renderNav } from "./core.js";

export function viewRelease() {
  if (!can("release")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "Your role does not include release of information.")); return; }
  const recipient = el("input", { id: "roi-recipient", required: true, size: 30 });
  const purpose = el("input", { id: "roi-purpose", required: true, size: 30 });
  const out = el("div", { id: "roi-result" });
  const list = el("ul", {}, S.release.map((id) => el("li", {}, el("a", { href: `#/doc/${encodeURIComponent(id)}` }, id), " ", el("button", { class: "secondary", onclick: () => { toggleRelease(id); viewRelease(); } }, "remove"))));
  const form = el("form", {
    class: "inline", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api("POST", "/releases", { doc_ids: S.release, recipient: recipient.value, purpose: purpose.value });
        const id = r.headers.get("x-disclosure-id");
        const url = URL.createObjectURL(await r.blob());
        out.replaceChildren(el("p", {}, `Disclosure ${id} recorded. `, el("a", { href: url, download: `${id}.pdf` }, "Download the release PDF")));
        S.release = []; sessionStorage.setItem("cv-release", "[]"); renderNav();
      } catch (e) { out.textContent = e.message; }
    }
  }, el("label", {}, "Recipient", recipient), el("label", {}, "Purpose", purpose), el("button", { type: "submit", disabled: !S.release.length }, "Create release PDF"));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Release of information"),
    S.release.length ? list : el("p", { class: "muted" }, "Select documents in search results or in the viewer."), form, out));
}

