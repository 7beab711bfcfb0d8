// ChartVault web UI: plain JavaScript, no dependencies, talks only to /api/v1.
// Every piece of archive text (OCR, names, file names) goes into the page as text nodes,
// never as HTML.
import { S, main, el, api, flash, renderNav, parseHash, setRouter, settle } from "./core.js";
import { viewSearch } from "./search.js";
import { viewDocument } from "./document.js";
import { viewPatient, viewPatients, viewAccounting } from "./patient.js";
import { viewIngest } from "./ingest.js";
import { viewRelease } from "./release.js";
import { viewRetention } from "./retention.js";
import { viewAudit } from "./audit.js";
import { viewUsers } from "./users.js";

function viewLogin() {
  const user = el("input", { id: "login-user", autocomplete: "username", required: true });
  const pass = el("input", { id: "login-pass", type: "password", autocomplete: "current-password", required: true });
  const msg = el("p", { id: "login-msg", class: "muted" });
  const form = el("form", {
    onsubmit: async (ev) => {
      ev.preventDefault(); msg.textContent = "";
      try {
        S.me = await api("POST", "/session", { username: user.value, password: pass.value });
        location.hash = "#/search";
      } catch (e) { msg.textContent = e.message; }
    }
  }, el("label", {}, "User name", user), el("label", {}, "Password", pass),
    el("button", { id: "login-submit", type: "submit" }, "Log in"), msg);
  main().replaceChildren(el("div", { class: "panel login" }, el("h1", {}, "ChartVault"), form));
  user.focus();
}

async function route() {
  const { parts, params } = parseHash();
  flash(S.next || ""); S.next = null;
  if (!S.me) {
    try { S.me = await api("GET", "/session"); } catch (_) { S.me = null; }
  }
  renderNav();
  if (!S.me) { viewLogin(); settle(); return; }
  if (!S.types) {
    try { S.types = (await api("GET", "/document-types")).types; } catch (e) { flash(e.message, true); }
  }
  try {
    await show(parts, params);
  } catch (e) {
    main().replaceChildren(el("div", { class: "panel denied", role: "alert" }, e.message));
  }
  settle();
}

async function show(parts, params) {
  switch (parts[0]) {
    case "login": case "search": case "": return await viewSearch(params);
    case "doc": return await viewDocument(parts[1], params);
    case "patient": return parts[2] === "accounting" ? await viewAccounting(parts[1]) : await viewPatient(parts[1]);
    case "patients": return await viewPatients();
    case "ingest": return await viewIngest();
    case "release": return viewRelease();
    case "retention": return await viewRetention(params);
    case "audit": return await viewAudit(params);
    case "users": return await viewUsers();
    default: main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "No such page"), el("p", {}, el("a", { href: "#/search" }, "Go to search"))));
  }
}

setRouter(route);
window.addEventListener("hashchange", route);
route();
