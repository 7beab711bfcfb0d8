// Users and roles: add a user (never over an existing one), change a role, reset a
// password, disable or enable, clear login delays. Each is its own audited step.

import { S, main, el, api, can, label, when, field, say, reloadWith } from "./core.js";

const ROLES = {
  viewer: "Viewer (search and read)",
  clerk: "Records clerk (ingest, QA, release)",
  retention_officer: "Retention officer (holds, purge plans)",
  approver: "Approver (purge approvals)",
  admin: "Administrator",
};
const roleSelect = (id, selected) => el("select", { id }, Object.entries(ROLES).map(([v, t]) => el("option", { value: v, selected: v === selected }, t)));

export async function viewUsers() {
  if (!can("admin")) { main().replaceChildren(el("div", { class: "denied", id: "denied" }, "User management is for administrators.")); return; }
  const r = await api("GET", "/users");
  const name = field("user-new-name", "User name", { required: true, autocomplete: "off" });
  const pass = field("user-new-password", "Password (10 or more characters)", { type: "password", required: true, autocomplete: "new-password" });
  const role = roleSelect("user-new-role", "viewer");
  const addOut = el("p", { id: "user-add-result" });
  const add = el("form", {
    class: "inline", id: "user-add", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", "/users", { username: name.input.value.trim(), role: role.value, password: pass.input.value });
        reloadWith(`User ${name.input.value.trim()} added as ${label(role.value)}.`);
      } catch (e) { say(addOut, e.message, true); }
    }
  }, name.label, el("label", { for: "user-new-role" }, "Role", role), pass.label, el("button", { type: "submit", id: "user-add-submit" }, "Add user"));

  const rows = r.users.map((u) => userRow(u));
  main().replaceChildren(
    el("div", { class: "panel" }, el("h1", {}, "Users"),
      el("table", { id: "users-table" },
        el("caption", { class: "visually-hidden" }, "Users, their roles and status"),
        el("tr", {}, ["User", "Role", "Added", "Status", "Actions"].map((h) => el("th", { scope: "col" }, h))), rows)),
    el("div", { class: "panel" }, el("h2", {}, "Add a user"),
      el("p", { class: "muted" }, "Adding never changes an existing account: change a role or reset a password in the table above."), add, addOut));
}

function userRow(u) {
  const me = S.me && S.me.username === u.username;
  const id = (what) => `user-${what}-${u.username}`;
  const out = el("div", { id: id("result") });
  const act = (path, body, done) => async () => {
    try { await api("POST", `/users/${encodeURIComponent(u.username)}/${path}`, body || {}); reloadWith(done); }
    catch (e) { say(out, e.message, true); }
  };
  const actions = el("div", { class: "row-actions" });
  if (me) {
    actions.append(el("span", { class: "muted" }, "Your own account: another administrator changes it."));
  } else {
    const role = roleSelect(id("role"), u.role);
    role.setAttribute("aria-label", `New role for ${u.username}`);
    const pw = el("input", { id: id("password"), type: "password", autocomplete: "new-password", "aria-label": `New password for ${u.username}`, placeholder: "new password" });
    actions.append(
      el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); act("role", { role: role.value }, `${u.username} is now ${label(role.value)}; their sessions ended.`)(); } },
        role, el("button", { type: "submit", class: "secondary", id: id("role-submit") }, "Change role")),
      el("form", { class: "inline", onsubmit: (ev) => { ev.preventDefault(); act("password", { password: pw.value }, `Password of ${u.username} reset; their sessions ended.`)(); } },
        pw, el("button", { type: "submit", class: "secondary", id: id("password-submit") }, "Reset password")),
      u.disabled_at
        ? el("button", { class: "secondary", id: id("enable"), onclick: act("enable", null, `${u.username} may log in again.`) }, "Enable")
        : el("button", { class: "danger", id: id("disable"), onclick: () => { if (confirm(`Disable ${u.username}? They are logged out at once; their history keeps their name.`)) act("disable", null, `${u.username} disabled.`)(); } }, "Disable"),
      el("button", { class: "secondary", id: id("unlock"), onclick: act("unlock", null, `Login delays on ${u.username} cleared.`) }, "Unlock"));
  }
  return el("tr", { id: id("row") },
    el("th", { scope: "row" }, u.username, me ? " (you)" : ""),
    el("td", {}, ROLES[u.role] || label(u.role)),
    el("td", {}, when(u.created_at), el("div", { class: "muted small" }, "by ", u.created_by)),
    el("td", {}, u.disabled_at ? el("span", { class: "badge bad" }, `Disabled ${when(u.disabled_at)}`) : el("span", { class: "badge" }, "Active")),
    el("td", {}, actions, out));
}
