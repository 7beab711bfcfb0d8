// The audit log.

import { main, el, api, can, qs } from "./core.js";

export async function viewAudit(params) {
  if (!can("audit")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "The audit log is for administrators.")); return; }
  const user = el("input", { value: params.get("user") || "", placeholder: "user" });
  const action = el("input", { value: params.get("action") || "", placeholder: "action" });
  const r = await api("GET", "/audit?" + qs({ limit: 300, user: params.get("user") || "", action: params.get("action") || "" }));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Audit log"),
    el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); location.hash = "#/audit?" + qs({ user: user.value, action: action.value }); } }, user, action, el("button", { type: "submit" }, "Filter")),
    el("table", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "When"), el("th", {}, "User"), el("th", {}, "Action"), el("th", {}, "Subject"), el("th", {}, "Detail")),
      r.entries.slice().reverse().map((e) => el("tr", {}, el("td", {}, e.seq), el("td", {}, e.at), el("td", {}, e.user), el("td", {}, e.action), el("td", {}, e.subject), el("td", {}, JSON.stringify(e.detail).slice(0, 160)))))));
}

