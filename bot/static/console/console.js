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

// the console's own words (data-i18n="key" in index.html), in the toggle's language
const UI = {
  zh: {
    brand: "shopbot 客服工作台", tab_conversations: "会话", tab_tickets: "售后工单", tab_supervisor: "主管视图",
    logout: "退出", filter_all: "全部", filter_waiting: "等待中", filter_mine: "我的", filter_team: "本组", filter_callbacks: "待回访",
    queue_team: "本组", no_team: "(未加入小组)",
    queue_waiting: "等待中", queue_mine: "我的", queue_active: "进行中", queue_callbacks: "待回访(非服务时间)",
    pick: "选择左侧的会话", take: "接入", handback: "交还机器人", canned: "快捷回复…", send: "发送",
    variables: "可用变量 {name} 顾客称呼、{order_id} 最近订单", picker_search: "搜索商品", note_add: "添加备注",
    transfer: "转接", collected: "机器人收集的信息", notes: "内部备注", tickets_title: "待处理售后工单",
    tickets_empty: "没有待处理的工单", th_ticket: "工单", th_order: "订单", th_type: "类型", th_status: "状态",
    th_reason: "原因", th_due: "截止", th_note: "备注", supervisor_title: "今日服务指标", queue_by_hour: "每小时排队人数",
    ph_reply: "回复顾客", ph_picker: "搜索商品,例如 华为手机 3000以内", ph_note: "内部备注(顾客看不到)",
    ph_transfer_note: "转接说明(给接手的同事)", closed: "已结束", waiting: "等待中", send_card: "发送卡片",
    no_products: "没有找到商品", team_pre_sales: "售前团队", team_after_sales: "售后团队", nothing: "暂无",
    readonly_transferred: (who) => "这个会话已转给 " + who + ",现在只能查看。", readonly_closed: "这个会话已结束,现在只能查看。",
    readonly_team: (team) => "这个会话已转到" + team + "排队,现在只能查看。",
    readonly_other: "这个会话已由其他同事接手,现在只能查看。",
    approve: "同意", reject: "拒绝", note_ph: "备注", choose_target: "转接给…",
    kpi_waiting: "排队中", kpi_active: "服务中", kpi_handled: "今日已处理", kpi_wait: "中位等待",
    kpi_first: "中位首次响应", kpi_resolution: "中位解决时长", kpi_csat: "满意度(CSAT)",
    csat: (v, n) => v === null ? "暂无评价" : v.toFixed(1) + " / 5(" + n + " 条评价)",
    stats: (s) => "排队 " + s.waiting + " · 今日已处理 " + s.handled_today,
    roles: { agent: "客服", supervisor: "主管", merchant_reviewer: "商家审核" }, phone: "电话", team: "团队",
    callback_at: "登记于", audit_title: "操作记录(敏感操作)",
    search: "查找", ph_search: "姓名、完整手机号、订单号或工单号", search_none: "没有找到排队中的会话", reveal: "显示",
    actions: { login: "登录", login_failed: "登录失败", take: "接入会话", transfer: "转接", hand_back: "交还机器人",
               ticket_approve: "同意工单", ticket_reject: "拒绝工单", ticket_refused: "超出权限被拒",
               reveal: "查看个人信息", reveal_refused: "查看个人信息被拒" },
  },
  en: {
    brand: "shopbot support console", tab_conversations: "Conversations", tab_tickets: "Tickets",
    tab_supervisor: "Supervisor", logout: "Log out", filter_all: "All", filter_waiting: "Waiting", filter_mine: "Mine",
    filter_team: "My team", queue_team: "My team", no_team: "(in no team)",
    filter_callbacks: "Call backs", queue_waiting: "Waiting", queue_mine: "Mine", queue_active: "All active",
    queue_callbacks: "Call backs (out of hours)", pick: "Pick a conversation on the left", take: "Take",
    handback: "Hand back to bot", canned: "Canned replies…", send: "Send",
    variables: "Variables: {name} the shopper, {order_id} their latest order", picker_search: "Search products",
    note_add: "Add note", transfer: "Transfer", collected: "What the bot collected", notes: "Private notes",
    tickets_title: "After-sales tickets", tickets_empty: "Nothing waiting", th_ticket: "Ticket", th_order: "Order",
    th_type: "Type", th_status: "Status", th_reason: "Reason", th_due: "Due", th_note: "Note",
    supervisor_title: "Today's service figures", queue_by_hour: "Shoppers waiting, hour by hour",
    ph_reply: "Reply to the shopper", ph_picker: "Search products, e.g. huawei phone under 3000",
    ph_note: "Private note (the shopper never sees it)", ph_transfer_note: "Note for whoever takes over",
    closed: "closed", waiting: "waiting", send_card: "Send card", no_products: "No products found",
    team_pre_sales: "Pre-sales team", team_after_sales: "After-sales team", nothing: "Nothing yet",
    readonly_transferred: (who) => "This conversation was transferred to " + who + "; it is read-only for you now.",
    readonly_closed: "This conversation has ended; it is read-only now.",
    readonly_team: (team) => "This conversation went back to the queue of the " + team + "; it is read-only for you now.",
    readonly_other: "Another colleague has this conversation now; it is read-only for you.",
    approve: "Approve", reject: "Reject", note_ph: "note", choose_target: "Transfer to…",
    kpi_waiting: "Waiting", kpi_active: "With an agent", kpi_handled: "Handled today", kpi_wait: "Median wait",
    kpi_first: "Median first response", kpi_resolution: "Median resolution", kpi_csat: "CSAT",
    csat: (v, n) => v === null ? "no ratings yet" : v.toFixed(1) + " / 5 (" + n + " ratings)",
    stats: (s) => "waiting " + s.waiting + " · handled today " + s.handled_today,
    roles: { agent: "agent", supervisor: "supervisor", merchant_reviewer: "merchant reviewer" }, phone: "phone",
    team: "team", callback_at: "asked at", audit_title: "Audit trail (sensitive actions)",
    search: "Find", ph_search: "Name, full phone number, order or ticket id", search_none: "No conversation in the queue found",
    reveal: "Reveal",
    actions: { login: "logged in", login_failed: "failed login", take: "took a conversation", transfer: "transferred",
               hand_back: "handed back", ticket_approve: "approved a ticket", ticket_reject: "rejected a ticket",
               ticket_refused: "refused: over their limit", reveal: "revealed personal data",
               reveal_refused: "refused: reveal personal data" },
  },
};
const u = (key) => UI[state.lang][key];

function applyLang() {
  const t = LOGIN_TEXT[state.lang];
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = u(n.dataset.i18n); });
  $("reply-text").placeholder = u("ph_reply");
  $("picker-query").placeholder = u("ph_picker");
  $("note-text").placeholder = u("ph_note");
  $("transfer-note").placeholder = u("ph_transfer_note");
  $("search-query").placeholder = u("ph_search");
  if (state.me) $("whoami").textContent = state.me.display_name + " (" + (u("roles")[state.me.role] || state.me.role) + ")";
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
    if (!$("supervisor-view").hidden) loadSupervisor().catch(() => {});
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
  for (const id of ["transcript", "collected-list", "notes", "queue-waiting", "queue-mine", "queue-active",
    "queue-callbacks", "picker-results"]) {
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
  $("tickets-tab").hidden = !state.features.tickets;
  $("picker-form").hidden = $("picker-results").hidden = !state.features.products;
  $("stats").hidden = $("supervisor-tab").hidden = me.user.role !== "supervisor";
  applyLang();
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
  top.append(el("span", " · " + (h.channel_label || h.channel) + " · " + (h.language || "").toUpperCase() +
    (h.team_label ? " · " + h.team_label : ""), "muted"));
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
  state.filter = ["all", "waiting", "mine", "team", "callbacks"].includes(filter) ? filter : "all";
  try { localStorage.setItem("console.filter", state.filter); } catch (e) { /* private mode */ }
  document.querySelectorAll("#queue-filter .filter").forEach((b) => {
    b.classList.toggle("active", b.dataset.filter === state.filter);
    b.setAttribute("aria-pressed", String(b.dataset.filter === state.filter));
  });
  document.querySelectorAll("#queues section[data-queue]").forEach((sec) => {
    sec.hidden = state.filter === "all" ? ["callbacks", "team"].includes(sec.dataset.queue)
      : sec.dataset.queue !== state.filter;
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
  fill("queue-team", q.team || []);
  $("team-names").textContent = (q.teams || []).length ? "· " + q.teams.map((t) => u("team_" + t)).join(" / ") : u("no_team");
  fill("queue-active", q.active);
  $("count-waiting").textContent = q.waiting.length;
  $("queue-callbacks").replaceChildren(...(q.callbacks || []).map(callbackItem));
  $("count-callbacks").textContent = (q.callbacks || []).length;
  if (state.me && state.me.role === "supervisor") {
    const s = await api("GET", "/stats");
    $("stats").textContent = u("stats")(s);
  }
}

function callbackItem(c) {
  const li = el("li", null, "callback");
  const top = el("div", null, "who");
  top.append(el("strong", c.display_name || c.recipient_id));
  top.append(el("span", " · " + u("team_" + c.team), "muted"));
  li.append(top);
  li.append(el("small", u("callback_at") + " " + localTime(c.requested_at) + (c.phone ? " · " + u("phone") + " " + c.phone : "")));
  return li;
}

// --- supervisor: today's CSAT, first response, resolution, queue length over the day -------------
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  const s = Math.round(seconds);
  return s < 60 ? s + (state.lang === "en" ? " s" : " 秒") : clockText(s);
}

async function loadSupervisor() {
  const s = await api("GET", "/stats");
  const rows = [["kpi_csat", u("csat")(s.csat, s.ratings), "csat"], ["kpi_first", duration(s.median_first_response_seconds), "first"],
    ["kpi_resolution", duration(s.median_resolution_seconds), "resolution"], ["kpi_wait", duration(s.median_wait_seconds), "wait"],
    ["kpi_waiting", s.waiting, "waiting"], ["kpi_active", s.active, "active"], ["kpi_handled", s.handled_today, "handled"]];
  $("kpis").replaceChildren(...rows.flatMap(([key, value, id]) => {
    const dd = el("dd", value); dd.dataset.kpi = id;
    return [el("dt", u(key)), dd];
  }));
  const trail = await api("GET", "/audit");
  $("audit").replaceChildren(...trail.entries.slice(0, 50).map((e) => {
    const li = el("li", localTime(e.at) + " · " + e.actor + " · " + (u("actions")[e.action] || e.action) + " · " + e.subject);
    li.dataset.action = e.action;
    if (e.detail) li.append(el("small", " " + e.detail, "muted"));
    return li;
  }));
  const hours = s.queue_by_hour || [];
  const top = Math.max(1, ...hours);
  // the server counts from midnight UTC: label each bar with the viewer's local hour
  const midnight = new Date(); midnight.setUTCHours(0, 0, 0, 0);
  $("queue-chart").setAttribute("aria-label", u("queue_by_hour") + ": " + hours.join(", "));
  $("queue-chart").replaceChildren(...hours.map((n, i) => {
    const bar = el("div", null, "hour");
    const fill = el("span", n ? String(n) : "", "fill");
    fill.style.height = Math.round((n / top) * 100) + "%";
    bar.append(fill, el("small", String(new Date(midnight.getTime() + i * 3600e3).getHours()).padStart(2, "0")));
    return bar;
  }));
}

async function openConversation(id, keepBanner) {
  const banner = keepBanner && !$("readonly").hidden ? $("readonly").textContent : null;
  if (state.current !== id) $("picker-results").replaceChildren();
  state.current = id;
  $("action-error").textContent = "";
  try {
    state.detail = await api("GET", "/handoffs/" + encodeURIComponent(id) + "?lang=" + state.lang);
  } catch (e) {
    if (e.status === 403 && state.detail && state.detail.handoff.id === id) {
      setReadOnly(true, $("readonly").hidden ? u("readonly_other") : $("readonly").textContent);  // someone else's now
    } else {
      $("action-error").textContent = e.message;
    }
    return;
  }
  renderConversation();
  if (banner && $("readonly").hidden && $("tools").disabled) { $("readonly").hidden = false; $("readonly").textContent = banner; }
  await loadCanned(state.detail.handoff.language, id);
  document.querySelectorAll("#queues li").forEach((li) => li.classList.toggle("selected", li.dataset.id === id));
}

function renderConversation() {
  const d = state.detail, h = d.handoff;
  $("empty").hidden = true;
  $("conversation-body").hidden = false;
  $("conversation-title").textContent = (h.display_name || h.recipient_id) + " · " + (h.channel_label || h.channel) + " · " +
    (h.closed_at ? u("closed") : h.agent_id ? "@" + h.agent_id : u("waiting"));
  const mine = h.agent_id === state.me.username || (state.me.role === "supervisor" && h.agent_id);
  $("take").hidden = !!h.agent_id || !!h.closed_at;
  $("handback").hidden = !mine || !!h.closed_at;
  setReadOnly(!mine || !!h.closed_at, h.closed_at ? u("readonly_closed") : null);
  const first = el("option", u("choose_target")); first.value = ""; first.disabled = true;
  const teams = ["pre_sales", "after_sales"].map((t) => { const o = el("option", u("team_" + t)); o.value = "team:" + t; return o; });
  const people = state.staff.filter((s) => s.username !== h.agent_id && s.role !== "merchant_reviewer")
    .map((s) => { const o = el("option", s.display_name + " (" + (u("roles")[s.role] || s.role) + ")"); o.value = s.username; return o; });
  $("transfer-to").replaceChildren(first, ...teams, ...people);
  $("transfer-to").value = "";
  $("transcript").replaceChildren(...d.transcript.map(renderLine));
  $("transcript").scrollTop = $("transcript").scrollHeight;
  const dl = $("collected-list");
  const c = d.collected || {};
  const sections = c.profile || [];
  const supervisor = state.me && state.me.role === "supervisor";
  dl.replaceChildren(...sections.flatMap((s) => {
    const dd = el("dd");
    dd.dataset.key = s.key;
    s.lines.forEach((line, i) => {
      const field = s.reveal && s.reveal[i];
      if (!field) { dd.append(el("div", line)); return; }
      // personal data is masked; a supervisor reveals one value (the server audits it)
      const row = el("div", null, "pii");
      const value = el("span", line, "masked");
      value.dataset.field = field;
      row.append(value);
      if (supervisor) {
        const btn = el("button", u("reveal"), "reveal");
        btn.type = "button";
        btn.dataset.field = field;
        btn.addEventListener("click", async () => {
          $("action-error").textContent = "";
          try {
            const res = await api("POST", path("/reveal"), { field });
            value.textContent = res.value;
            value.className = "revealed";
            btn.remove();
          } catch (e) { $("action-error").textContent = e.message; }
        });
        row.append(btn);
      }
      dd.append(row);
    });
    return [el("dt", s.title), dd];
  }));
  if (!sections.length) dl.append(el("dd", u("nothing"), "muted"));
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
  if (line.image) li.append(photoLink(line.image));
  li.append(el("small", from + " · " + localTime(line.time)));
  return li;
}

// the conversation's read-only state: set at once when the conversation leaves this agent
// (transferred, handed back), before anything is reloaded, so no button is left live
function leftMe(h) {
  const to = state.staff.find((s) => s.username === h.agent_id);
  state.detail.handoff = Object.assign({}, state.detail.handoff, h);
  const d = state.detail.handoff;
  $("conversation-title").textContent = (d.display_name || d.recipient_id) + " · " + (d.channel_label || d.channel) + " · " +
    (h.closed_at ? u("closed") : h.agent_id ? "@" + h.agent_id : u("waiting"));
  setReadOnly(true, h.closed_at ? u("readonly_closed")
    : h.agent_id ? u("readonly_transferred")(to ? to.display_name : h.agent_id) : u("readonly_team")(u("team_" + h.team)));
}

function setReadOnly(readOnly, why) {
  $("tools").disabled = readOnly;
  for (const id of ["handback", "reply-send", "picker-search", "note-add", "transfer", "canned", "reply-text",
    "transfer-to", "transfer-note"]) $(id).disabled = readOnly;
  $("picker-results").querySelectorAll("button").forEach((b) => { b.disabled = readOnly; });
  if (readOnly) $("handback").hidden = true;
  $("readonly").hidden = !why;
  $("readonly").textContent = why || "";
}

function photoLink(url) {
  const a = el("a", null, "photo"); a.href = url; a.target = "_blank"; a.rel = "noopener";
  const img = el("img"); img.src = url; img.alt = state.lang === "en" ? "photo from the shopper" : "顾客发来的照片";
  a.append(img);
  return a;
}

async function loadCanned(language, id) {
  const list = await api("GET", "/canned?language=" + encodeURIComponent(language || "zh") + "&handoff_id=" + encodeURIComponent(id));
  const first = el("option", u("canned")); first.value = "";
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
$("transfer-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (!$("transfer-to").value) { $("transfer-to").focus(); return; }
  act(async () => {
    const res = await api("POST", path("/transfer"), { to: $("transfer-to").value, note: $("transfer-note").value.trim() });
    $("transfer-note").value = "";
    if (res.handoff.agent_id !== state.me.username && state.me.role !== "supervisor") leftMe(res.handoff);
  });
});
$("reply-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  act(async () => { await api("POST", path("/reply"), { text }); $("reply-text").value = ""; });
});
// the product picker: search the catalog by words, send one as a card with a click
$("picker-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = $("picker-query").value.trim();
  if (!q) return;
  $("action-error").textContent = "";
  try {
    const found = await api("GET", "/products?q=" + encodeURIComponent(q) + "&lang=" + state.lang);
    const readOnly = $("tools").disabled;
    $("picker-results").replaceChildren(...(found.items.length ? found.items.map((it) => {
      const li = el("li", null, "pick");
      li.dataset.productId = it.id;
      if (it.image_url) { const img = el("img"); img.src = it.image_url; img.alt = ""; li.append(img); }
      const info = el("div", null, "info");
      info.append(el("div", it.title, "title"), el("small", (it.platform_name || it.platform) + " · " + it.price_text));
      const send = el("button", u("send_card")); send.type = "button"; send.disabled = readOnly;
      send.addEventListener("click", () => act(() => api("POST", path("/product"), { product_id: it.id })));
      li.append(info, send);
      return li;
    }) : [el("li", u("no_products"), "muted")]));
  } catch (e) { $("action-error").textContent = e.message; }
});
// find a shopper's conversation by their full phone number (a keyed hash on the server) or an order id
$("search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = $("search-query").value.trim();
  const out = $("search-results");
  if (!q) { out.hidden = true; out.replaceChildren(); return; }
  try {
    const found = await api("GET", "/search?q=" + encodeURIComponent(q) + "&lang=" + state.lang);
    out.replaceChildren(...(found.results.length ? found.results.map((h) => queueItem(h, ""))
      : [el("li", u("search_none"), "muted")]));
  } catch (e) { out.replaceChildren(el("li", e.message, "error")); }
  out.hidden = false;
});
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
    if (state.current && h.id === state.current && state.me) {
      const held = state.detail && state.detail.handoff.agent_id === state.me.username;
      const stillMine = h.agent_id === state.me.username || (state.me.role === "supervisor" && h.agent_id);
      if (held && !stillMine) {  // it left this agent: read-only now, whatever the reload says
        leftMe(h);
        if (!h.closed_at && state.me.role !== "supervisor") return;  // no longer theirs to read
      }
      await openConversation(state.current, true);
    }
  };
}

// --- tickets ------------------------------------------------------------------------------
document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", async () => {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
  const view = tab.dataset.view;
  $("tickets-view").hidden = view !== "tickets";
  $("supervisor-view").hidden = view !== "supervisor";
  $("conversations-view").hidden = view !== "conversations";
  if (view === "tickets") await loadTickets();
  if (view === "supervisor") await loadSupervisor();
}));

async function loadTickets() {
  const data = await api("GET", "/tickets?lang=" + state.lang);
  const body = $("tickets").querySelector("tbody");
  $("tickets-empty").hidden = data.tickets.length > 0;
  body.replaceChildren(...data.tickets.map((t) => {
    const tr = el("tr");
    tr.dataset.id = t.ticket_id;
    for (const v of [t.ticket_id, t.order_id, t.service_label || t.service_type, t.status_label || t.status]) tr.append(el("td", v));
    const why = el("td", t.reason);
    if ((t.photos || []).length) { const ps = el("div", null, "photos"); t.photos.forEach((p) => ps.append(photoLink(p))); why.append(ps); }
    tr.append(why, el("td", localTime(t.deadline_at)));
    const note = el("input"); note.placeholder = u("note_ph");
    const tdNote = el("td"); tdNote.append(note); tr.append(tdNote);
    const tdAct = el("td");
    for (const [label, approve] of [[u("approve"), true], [u("reject"), false]]) {
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
