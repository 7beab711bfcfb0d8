// Users and roles.

import { main, el, api, can, flash, reloadWith, label } from "./core.js";

export async function viewUsers() {
  if (!can("admin")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "User management is for administrators.")); return; }
  const r = await api("GET", "/users");
  const name = el("input", { required: true }), pass = el("input", { type: "password", required: true });
  const role = el("select", {}, ["viewer", "clerk", "retention_officer", "approver", "admin"].map((x) => el("option", { value: x }, label(x))));
  main().replaceChildren(el("div", { class: "panel" }, el("h1", {}, "Users"),
    el("table", {}, el("tr", {}, el("th", {}, "User"), el("th", {}, "Role"), el("th", {}, "Created"), el("th", {}, "Disabled")), r.users.map((u) => el("tr", {}, el("td", {}, u.username), el("td", {}, label(u.role)), el("td", {}, `${u.created_at} by ${u.created_by}`), el("td", {}, u.disabled_at || "")))),
    el("form", { class: "inline", onsubmit: async (ev) => { ev.preventDefault(); try { await api("POST", "/users", { username: name.value, role: role.value, password: pass.value }); reloadWith("Saved."); } catch (e) { flash(e.message, true); } } },
      el("label", {}, "User name", name), el("label", {}, "Role", role), el("label", {}, "Password (10+ characters)", pass), el("button", { type: "submit" }, "Add or update"))));
}

