// The review page: plain JavaScript over the /v1 API with the reviewer's
// token (kept in sessionStorage, sent as a Bearer header). Everything shown
// from the API is set as text (never as HTML), so no case content can run.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "amlscreen.review.token";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + (sessionStorage.getItem(KEY) || "") };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (!res.ok) {
    const err = new Error((data && data.message) || ("HTTP " + res.status));
    err.status = res.status;
    err.kind = data && data.kind;
    throw err;
  }
  return data;
}

function show(section) {
  for (const id of ["signin", "queue", "case"]) $(id).hidden = id !== section;
  $("signout").hidden = section === "signin";
  $("main").focus();
}

function badge(action) {
  return el("span", { class: "badge " + action }, action);
}

function when(t) {
  if (!t) return "";
  const d = new Date(t);
  return isNaN(d) ? t : d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function firstReason(c) {
  const r = (c.decision.reasons || []).find((f) => f.action || f.level_floor || f.points) || (c.decision.reasons || [])[0];
  return r ? r.message : c.decision.summary;
}

async function signin(ev) {
  ev.preventDefault();
  const token = $("token").value.trim();
  sessionStorage.setItem(KEY, token);
  $("signin-error").textContent = "";
  try {
    await api("GET", "/v1/cases?limit=1");
    $("token").value = "";
    location.hash = "#/";
    route();
  } catch (e) {
    sessionStorage.removeItem(KEY);
    $("token").value = "";
    $("token").focus();
    $("signin-error").textContent = e.status === 403
      ? "This token lacks the review role."
      : e.status === 401 ? "Unknown token." : "Sign-in failed: " + e.message;
  }
}

function filtersFromHash() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  return { status: q.has("status") ? q.get("status") : "open", customer: q.get("customer") || "", reason: q.get("reason") || "" };
}

let queueSeq = 0;

async function loadQueue() {
  show("queue");
  const seq = ++queueSeq;
  const counter = $("queue-count");
  counter.textContent = "Loading…";
  delete counter.dataset.query;
  const f = filtersFromHash();
  $("f-status").value = f.status;
  $("f-customer").value = f.customer;
  $("f-reason").value = f.reason;
  const q = new URLSearchParams();
  if (f.status) q.set("status", f.status);
  if (f.customer) q.set("customer", f.customer);
  if (f.reason) q.set("reason", f.reason);
  q.set("limit", "500");
  const body = $("queue-table").tBodies[0];
  body.replaceChildren();
  let cases;
  try {
    cases = await api("GET", "/v1/cases?" + q.toString());
  } catch (e) {
    if (seq !== queueSeq) return;
    return failed(e, counter);
  }
  // a later load (another filter) has begun: this answer is stale
  if (seq !== queueSeq) return;
  counter.textContent = cases.length + (cases.length === 1 ? " case" : " cases");
  // which query the count answers (the end-to-end test waits on it)
  counter.dataset.query = q.toString();
  for (const c of cases) {
    body.append(el("tr", { "data-case": c.id },
      el("td", {}, el("a", { href: "#/case/" + c.id }, "Case " + c.id)),
      el("td", {}, when(c.opened_at)),
      el("td", {}, c.transaction.customer_id),
      el("td", {}, badge(c.decision.action)),
      el("td", {}, c.status.replace("_", " ") + (c.outcome ? " (" + c.outcome.replace("_", " ") + ")" : "")),
      el("td", {}, firstReason(c))));
  }
}

function failed(e, where) {
  if (e.status === 401) { sessionStorage.removeItem(KEY); location.hash = "#/signin"; return route(); }
  where.textContent = "Could not load: " + e.message;
  where.className = "error";
}

function party(p) {
  const bits = [p.name, p.kind, p.birth_date && ("born " + p.birth_date), p.country, p.wallet, p.account, p.vasp, p.domain, ...(p.ids || [])];
  return p.role + ": " + bits.filter(Boolean).join(" · ");
}

function reasonBox(f, entries) {
  const box = el("div", { class: "reason" },
    el("p", {}, el("strong", {}, f.kind.replace(/_/g, " ")), " — ", f.rule_id,
      f.party ? " (" + f.party + ")" : "", f.action ? " → " + f.action : ""),
    el("p", {}, f.message));
  const m = f.matched;
  if (m) {
    const dl = el("dl", { class: "align" });
    const row = (k, v) => { if (v !== undefined && v !== null && v !== "") dl.append(el("dt", {}, k), el("dd", {}, v)); };
    row("Party's name", m.query);
    row("Listed name", m.name);
    row("Score", m.score !== undefined ? m.score.toFixed(2) : undefined);
    row("Evidence", m.evidence);
    row("Wallet", m.address);
    row("Platform", m.platform);
    row("List entry", m.entity_id ? m.entity_id + (m.list ? " (" + m.list + ")" : "") : undefined);
    box.append(dl);
    for (const e of entries.filter((x) => x.entity_id === m.entity_id || (m.also_listed || []).includes(x.entity_id))) {
      box.append(el("p", { class: "muted" }, "The list entry as printed when the decision was made:"), el("pre", { class: "entry" }, e.printed));
    }
  }
  return box;
}

async function loadCase(id) {
  show("case");
  $("case-title").textContent = "Case " + id;
  $("case-body").replaceChildren();
  $("resolve-msg").textContent = "";
  $("account-msg").textContent = "";
  $("case-msg").textContent = "";
  let c;
  try {
    c = await api("GET", "/v1/cases/" + encodeURIComponent(id));
  } catch (e) {
    return failed(e, $("case-body"));
  }
  const d = c.decision;
  const t = c.transaction;
  $("case-title").replaceChildren("Case " + c.id + " ", badge(d.action));
  const facts = el("dl", { class: "facts" });
  const fact = (k, v) => facts.append(el("dt", {}, k), el("dd", {}, v));
  fact("Status", c.status.replace("_", " ") + (c.outcome ? " (" + c.outcome.replace("_", " ") + ")" : ""));
  fact("Opened", when(c.opened_at));
  fact("Customer", t.customer_id);
  fact("Transaction", t.transaction_id + " · " + t.direction + " · " + t.amount + " " + t.currency + " · " + when(t.timestamp));
  fact("Decision", d.summary || (d.risk + " → " + d.action));
  for (const p of t.parties || []) fact("Party", party(p));
  const reasons = el("section", { "aria-labelledby": "reasons-title" }, el("h2", { id: "reasons-title" }, "Reasons"));
  for (const f of d.reasons || []) reasons.append(reasonBox(f, c.entries || []));
  const actions = el("section", { "aria-labelledby": "actions-title" }, el("h2", { id: "actions-title" }, "Actions"));
  const list = el("ul");
  for (const a of c.actions || []) list.append(el("li", {}, when(a.at) + " — " + a.reviewer + ": " + a.kind + (a.outcome ? " " + a.outcome : "") + (a.status ? " " + a.status : "") + " — " + a.note));
  if (!(c.actions || []).length) list.append(el("li", { class: "muted" }, "none yet"));
  actions.append(list);
  $("case-body").replaceChildren(facts, reasons, actions);
  $("resolve-box").hidden = c.status === "closed";
  $("resolve-form").dataset.case = c.id;
  $("account-form").dataset.customer = t.customer_id;
  await loadCustomer(t.customer_id, c.id);
}

async function loadCustomer(customer, current) {
  $("history").replaceChildren();
  try {
    const v = await api("GET", "/v1/customers/" + encodeURIComponent(customer));
    $("account-status").textContent = "Customer " + customer + " is " + v.customer.status +
      (v.customer.note ? " — " + v.customer.note : "") + (v.customer.reviewer ? " (" + v.customer.reviewer + ")" : "");
    const others = v.cases.filter((x) => x.id !== current);
    for (const o of others) {
      $("history").append(el("li", {}, el("a", { href: "#/case/" + o.id }, "Case " + o.id), " — " + when(o.opened_at) + " — ", badge(o.decision.action), " " + o.status + (o.outcome ? " (" + o.outcome + ")" : "")));
    }
    if (!others.length) $("history").append(el("li", { class: "muted" }, "none"));
  } catch (e) {
    $("account-status").textContent = "Could not load the customer: " + e.message;
  }
}

async function resolve(ev) {
  ev.preventDefault();
  const form = ev.target;
  const outcome = (form.querySelector("input[name=outcome]:checked") || {}).value;
  const note = $("resolve-note").value;
  try {
    await api("POST", "/v1/cases/" + form.dataset.case + "/resolve", { outcome, note });
    $("resolve-note").value = "";
    form.reset();
    await loadCase(form.dataset.case);
    $("case-msg").textContent = "Resolved as " + outcome.replace("_", " ") + ".";
  } catch (e) {
    $("resolve-msg").textContent = "Not resolved: " + e.message;
  }
}

// freeze and unfreeze are buttons of their own: Enter in the note field
// does neither
async function account(what) {
  const customer = $("account-form").dataset.customer;
  if (!$("account-note").value.trim()) {
    $("account-msg").textContent = "Say why in the note first.";
    $("account-note").focus();
    return;
  }
  try {
    await api("POST", "/v1/customers/" + encodeURIComponent(customer) + "/" + what, { note: $("account-note").value });
    $("account-note").value = "";
    await loadCustomer(customer, Number($("resolve-form").dataset.case));
    $("account-msg").textContent = what === "freeze" ? "Account frozen." : "Account unfrozen.";
  } catch (e) {
    $("account-msg").textContent = "Not done: " + e.message;
  }
}

function route() {
  const signedIn = !!sessionStorage.getItem(KEY);
  $("who").textContent = signedIn ? "signed in" : "";
  const h = location.hash || "#/";
  if (!signedIn || h.startsWith("#/signin")) return show("signin");
  const m = h.match(/^#\/case\/(\d+)/);
  if (m) return loadCase(m[1]);
  return loadQueue();
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", signin);
  $("filters").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    q.set("status", $("f-status").value);
    if ($("f-customer").value.trim()) q.set("customer", $("f-customer").value.trim());
    if ($("f-reason").value) q.set("reason", $("f-reason").value);
    location.hash = "#/?" + q.toString();
  });
  $("resolve-form").addEventListener("submit", resolve);
  $("account-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("do-freeze").addEventListener("click", () => account("freeze"));
  $("do-unfreeze").addEventListener("click", () => account("unfreeze"));
  $("signout").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.hash = "#/signin"; });
  window.addEventListener("hashchange", route);
  route();
});
