// shopbot support console: plain JS, no build step. Text is always set with textContent.
"use strict";

const state = { me: null, csrf: null, features: {}, current: null, detail: null, socket: null, staff: [] };
const $ = (id) => document.getElementById(id);
// the console's language for statuses, choices and the profile (the server words them)
state.lang = (() => {
  let saved = null;
  try { saved = localStorage.getItem("console.lang"); } catch (e) { /* private mode */ }
  if (saved === "en" || saved === "zh") return saved;
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
})();

// the login page's messages, in the console's language
const LOGIN_TEXT = {
  zh: { wrong: "用户名或密码错误", locked: (s) => "登录失败次数过多,请 " + s + " 秒后再试", failed: "登录失败,请稍后再试",
        title: "shopbot 客服工作台", username: "用户名", password: "密码", login: "登录", toggle: "EN" },
  en: { wrong: "Wrong username or password", locked: (s) => "Too many failed logins: try again in " + s + " s",
        failed: "Could not log in, please try again", title: "shopbot support console", username: "Username",
        password: "Password", login: "Log in", toggle: "中文" },
};

function loginError(e) {
  const t = LOGIN_TEXT[state.lang];
  if (e.status === 401) return t.wrong;
  if (e.status === 429) return t.locked((e.data && e.data.locked_for_seconds) || 60);
  return t.failed;
}

function applyLang() {
  const t = LOGIN_TEXT[state.lang];
  document.documentElement.lang = state.lang === "en" ? "en" : "zh";
  $("login-title").textContent = t.title;
  $("username-label").textContent = t.username;
  $("password-label").textContent = t.password;
  $("login-button").textContent = t.login;
  for (const id of ["lang-toggle", "lang-toggle-app"]) $(id).textContent = t.toggle;
}

function toggleLang() {
  state.lang = state.lang === "en" ? "zh" : "en";
  try { localStorage.setItem("console.lang", state.lang); } catch (e) { /* private mode */ }
  applyLang();
  $("login-error").textContent = "";
  if (!$("app").hidden) {
    refreshQueues().catch(() => {});
    if (state.current) openConversation(state.current);
    if (!$("tickets-view").hidden) loadTickets().catch(() => {});
  }
}

// times in the staff member's own time zone: "12月5日 15:33" / "Dec 5, 3:33 PM", never ISO strings
function localTime(value) {
  if (value === null || value === undefined || value === "") return "-";
  const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (isNaN(d.getTime())) return String(value);
  const locale = state.lang === "en" ? "en-GB" : "zh-CN";
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString(locale, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const resp = await fetch("/console/api" + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (resp.status === 401 && path !== "/login") { showLogin(); }
  if (!resp.ok) {
    const detail = data && (data.detail || data.error);
    const error = new Error(typeof detail === "string" ? detail : resp.status + " " + resp.statusText);
    error.status = resp.status;
    error.data = data;
    throw error;
  }
  return data;
}

function showLogin() {
  $("app").hidden = true;
  $("login").hidden = false;
  if (state.socket) { const s = state.socket; state.socket = null; s.close(); }
  // forget the previous user's screen: the next one may not be allowed to see it
  Object.assign(state, { me: null, csrf: null, current: null, detail: null });
  $("conversation-body").hidden = true;
  $("empty").hidden = false;
  for (const id of ["transcript", "collected-list", "notes", "queue-waiting", "queue-mine", "queue-active"]) {
    $(id).replaceChildren();
  }
  $("stats").textContent = "";
}

async function boot() {
  try {
    const me = await api("GET", "/me");
    await enter(me);
  } catch (e) {
    showLogin();
  }
}

async function enter(me) {
  state.me = me.user;
  state.csrf = me.csrf_token;
  state.features = me.features || {};
  state.sla = me.sla || state.sla;
  $("login").hidden = true;
  $("app").hidden = false;
  $("whoami").textContent = me.user.display_name + " (" + me.user.role + ")";
  $("tickets-tab").hidden = !state.features.tickets;
  $("product-id").hidden = $("send-product").hidden = !state.features.products;
  $("stats").hidden = me.user.role !== "supervisor";
  state.staff = await api("GET", "/staff");
  connect();
  await refreshQueues();
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  try {
    const res = await api("POST", "/login", { username: $("username").value, password: $("password").value });
    $("password").value = "";
    const me = await api("GET", "/me");
    me.csrf_token = res.csrf_token;
    await enter(me);
  } catch (e) {
    $("login-error").textContent = loginError(e);
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/logout"); } finally { showLogin(); }
});

// --- queue: who, where, what they said last, and an SLA timer that turns amber then red --------
function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds)), m = Math.floor(s / 60);
  return m >= 60 ? Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0")
    : m + ":" + String(s % 60).padStart(2, "0");
}

function tickSla() {
  const sla = state.sla || { amber_seconds: 120, red_seconds: 300 };
  document.querySelectorAll("#queues .sla[data-waited]").forEach((node) => {
    const waited = Number(node.dataset.waited) + (Date.now() - Number(node.dataset.at)) / 1000;
    node.textContent = clockText(waited);
    const level = waited >= sla.red_seconds ? "red" : waited >= sla.amber_seconds ? "amber" : "ok";
    node.className = "sla sla-" + level;
    node.title = (state.lang === "en" ? "waiting " : "已等待 ") + clockText(waited);
  });
}
setInterval(tickSla, 1000);

function queueItem(h, extra) {
  const li = el("li");
  li.dataset.id = h.id;
  const top = el("div", null, "who");
  top.append(el("strong", h.display_name || h.recipient_id));
  top.append(el("span", " · " + (h.channel_label || h.channel) + " · " + (h.language || "").toUpperCase(), "muted"));
  if (h.waiting_seconds !== null && h.waiting_seconds !== undefined) {
    const timer = el("span", clockText(h.waiting_seconds), "sla sla-" + (h.sla || "ok"));
    timer.dataset.waited = h.waiting_seconds;
    timer.dataset.at = Date.now();
    top.append(timer);
  }
  li.append(top);
  li.append(el("div", h.last_message || "-", "last"));
  li.append(el("small", (h.agent_id ? "@" + h.agent_id + " · " : "") + (extra || "")));
  if (state.current === h.id) li.classList.add("selected");
  li.addEventListener("click", () => openConversation(h.id));
  return li;
}

function applyFilter(filter) {
  state.filter = ["all", "waiting", "mine"].includes(filter) ? filter : "all";
  try { localStorage.setItem("console.filter", state.filter); } catch (e) { /* private mode */ }
  document.querySelectorAll("#queue-filter .filter").forEach((b) => {
    b.classList.toggle("active", b.dataset.filter === state.filter);
    b.setAttribute("aria-pressed", String(b.dataset.filter === state.filter));
  });
  document.querySelectorAll("#queues section[data-queue]").forEach((sec) => {
    sec.hidden = state.filter !== "all" && sec.dataset.queue !== state.filter;
  });
}
document.querySelectorAll("#queue-filter .filter").forEach((b) => b.addEventListener("click", () => applyFilter(b.dataset.filter)));
applyFilter((() => { try { return localStorage.getItem("console.filter"); } catch (e) { return null; } })());

async function refreshQueues() {
  const q = await api("GET", "/queues?lang=" + state.lang);
  const fill = (id, rows, extra) => {
    const ul = $(id);
    ul.replaceChildren(...rows.map((h) => queueItem(h, extra ? extra(h) : "")));
  };
  fill("queue-waiting", q.waiting, (h) => "#" + h.position);
  fill("queue-mine", q.mine);
  fill("queue-active", q.active);
  $("count-waiting").textContent = q.waiting.length;
  if (state.me && state.me.role === "supervisor") {
    const s = await api("GET", "/stats");
    const wait = s.median_wait_seconds === null ? "-" : Math.round(s.median_wait_seconds) + "s";
    $("stats").textContent = "等待 waiting " + s.waiting + " · 中位等待 median wait " + wait +
      " · 今日已处理 handled today " + s.handled_today;
  }
}

async function openConversation(id) {
  state.current = id;
  $("action-error").textContent = "";
  try {
    state.detail = await api("GET", "/handoffs/" + encodeURIComponent(id) + "?lang=" + state.lang);
  } catch (e) {
    $("action-error").textContent = e.message;
    return;
  }
  renderConversation();
  await loadCanned(state.detail.handoff.language);
  document.querySelectorAll("#queues li").forEach((li) => li.classList.toggle("selected", li.dataset.id === id));
}

function renderConversation() {
  const d = state.detail, h = d.handoff;
  $("empty").hidden = true;
  $("conversation-body").hidden = false;
  $("conversation-title").textContent = (h.display_name || h.recipient_id) + " · " + (h.channel_label || h.channel) + " · " +
    (h.closed_at ? "已结束 closed" : h.agent_id ? "@" + h.agent_id : "等待中 waiting");
  const mine = h.agent_id === state.me.username || (state.me.role === "supervisor" && h.agent_id);
  $("take").hidden = !!h.agent_id || !!h.closed_at;
  for (const id of ["handback", "transfer", "transfer-to", "reply-send", "send-product"]) {
    $(id).disabled = !mine || !!h.closed_at;
  }
  $("transfer-to").replaceChildren(...state.staff.filter((s) => s.username !== h.agent_id)
    .map((s) => { const o = el("option", s.display_name + " (" + s.role + ")"); o.value = s.username; return o; }));
  $("transcript").replaceChildren(...d.transcript.map(renderLine));
  $("transcript").scrollTop = $("transcript").scrollHeight;
  const dl = $("collected-list");
  const c = d.collected || {};
  const sections = c.profile || [];
  dl.replaceChildren(...sections.flatMap((s) => {
    const dd = el("dd");
    dd.dataset.key = s.key;
    for (const line of s.lines) dd.append(el("div", line));
    return [el("dt", s.title), dd];
  }));
  if (!sections.length) dl.append(el("dd", state.lang === "en" ? "Nothing yet" : "暂无", "muted"));
  $("notes").replaceChildren(...d.notes.map((n) => {
    const li = el("li", n.author + ": " + n.text);
    if (n.created_at) li.append(el("small", " · " + localTime(n.created_at)));
    return li;
  }));
}

function renderLine(line) {
  const from = line.from || "bot";
  const cls = from === "user" ? "user" : from.startsWith("agent:") ? "agent" : "bot";
  const text = line.shown || line.text || (line.reply && line.reply.custom ? "[" + line.reply.custom.type + "]" : "");
  const li = el("li", text, cls + (line.chose ? " chose" : ""));
  li.append(el("small", from + " · " + localTime(line.time)));
  return li;
}

async function loadCanned(language) {
  const list = await api("GET", "/canned?language=" + encodeURIComponent(language || "zh"));
  const first = el("option", "快捷回复 Canned replies…"); first.value = "";
  $("canned").replaceChildren(first, ...list.map((t) => { const o = el("option", t); o.value = t; return o; }));
}

$("canned").addEventListener("change", () => { if ($("canned").value) $("reply-text").value = $("canned").value; });

async function act(fn) {
  $("action-error").textContent = "";
  try { await fn(); } catch (e) { $("action-error").textContent = e.message; }
  await refreshQueues().catch(() => {});
  if (state.current) await openConversation(state.current);
}

const path = (suffix) => "/handoffs/" + encodeURIComponent(state.current) + suffix;
$("take").addEventListener("click", () => act(() => api("POST", path("/take"))));
$("handback").addEventListener("click", () => act(() => api("POST", path("/handback"))));
$("transfer").addEventListener("click", () => act(() => api("POST", path("/transfer"), { to: $("transfer-to").value })));
$("reply-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  act(async () => { await api("POST", path("/reply"), { text }); $("reply-text").value = ""; });
});
$("send-product").addEventListener("click", () => act(() => api("POST", path("/product"), { product_id: $("product-id").value.trim() })));
$("note-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  act(async () => { await api("POST", path("/notes"), { text }); $("note-text").value = ""; });
});

function connect() {
  if (state.socket) return;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(proto + "//" + location.host + "/console/ws");
  state.socket = socket;
  socket.onopen = () => $("live").classList.add("on");
  socket.onclose = () => {
    $("live").classList.remove("on");
    if (state.socket === socket) { state.socket = null; setTimeout(() => { if (!$("app").hidden) connect(); }, 2000); }
  };
  socket.onmessage = async (msg) => {
    const event = JSON.parse(msg.data);
    if (event.type === "hello") return;
    await refreshQueues().catch(() => {});
    const h = event.handoff || {};
    if (state.current && (h.id === state.current)) await openConversation(state.current);
  };
}

// --- tickets ------------------------------------------------------------------------------
document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", async () => {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
  const tickets = tab.dataset.view === "tickets";
  $("tickets-view").hidden = !tickets;
  $("conversations-view").hidden = tickets;
  if (tickets) await loadTickets();
}));

async function loadTickets() {
  const data = await api("GET", "/tickets?lang=" + state.lang);
  const body = $("tickets").querySelector("tbody");
  $("tickets-empty").hidden = data.tickets.length > 0;
  body.replaceChildren(...data.tickets.map((t) => {
    const tr = el("tr");
    tr.dataset.id = t.ticket_id;
    for (const v of [t.ticket_id, t.order_id, t.service_label || t.service_type, t.status_label || t.status, t.reason,
      localTime(t.deadline_at)]) tr.append(el("td", v));
    const note = el("input"); note.placeholder = "备注 note";
    const tdNote = el("td"); tdNote.append(note); tr.append(tdNote);
    const tdAct = el("td");
    for (const [label, approve] of [["同意 Approve", true], ["拒绝 Reject", false]]) {
      const b = el("button", label); b.type = "button";
      b.addEventListener("click", async () => {
        try { await api("POST", "/tickets/" + encodeURIComponent(t.ticket_id) + "/answer", { approve, note: note.value }); }
        catch (e) { $("action-error").textContent = e.message; }
        await loadTickets();
      });
      tdAct.append(b);
    }
    tr.append(tdAct);
    return tr;
  }));
}

$("lang-toggle").addEventListener("click", toggleLang);
$("lang-toggle-app").addEventListener("click", toggleLang);
applyLang();
boot();
