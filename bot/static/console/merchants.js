// The merchant review desk: queue, one application with documents and audit trail, decisions.
"use strict";
(() => {
  const api = "/console/api/merchant-applications";
  const $ = (id) => document.getElementById(id);
  const STATUS = {submitted: "已提交 Submitted", under_review: "审核中 Under review",
                  approved: "已通过 Approved", rejected: "已驳回 Rejected",
                  suspended: "已暂停 Suspended"};
  const FIELDS = [["credit_code", "统一社会信用代码 Credit code"], ["licence_number", "营业执照 Licence"],
                  ["phone", "电话 Phone"], ["email", "邮箱 E-mail"], ["categories", "类目 Categories"],
                  ["status", "状态 Status"], ["reviewer", "审核人 Reviewer"], ["reason", "原因 Reason"],
                  ["merchant_id", "商家编号 Merchant id"]];
  let csrf = "";
  let current = null;

  const el = (tag, text) => { const e = document.createElement(tag); e.textContent = text; return e; };

  async function call(path, body) {
    const opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json",
                                                                        "X-CSRF-Token": csrf},
                                           body: JSON.stringify(body)};
    const resp = await fetch(api + path, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(typeof data.detail === "string" ? data.detail : resp.statusText);
    return data;
  }

  async function loadQueue() {
    const status = $("status-filter").value;
    const data = await call(status ? `?status=${encodeURIComponent(status)}` : "");
    const list = $("applications");
    list.replaceChildren();
    for (const a of data.applications) {
      const item = el("li", "");
      const button = el("button", `${a.company_name} · ${STATUS[a.status] || a.status}`);
      button.type = "button";
      button.dataset.id = a.application_id;
      button.addEventListener("click", () => show(a.application_id));
      item.append(button);
      list.append(item);
    }
  }

  function render(data) {
    const a = data.application;
    current = a.application_id;
    $("detail").hidden = false;
    $("company").textContent = `${a.company_name} (${a.application_id})`;
    const fields = $("fields");
    fields.replaceChildren();
    for (const [key, label] of FIELDS) {
      const value = key === "status" ? STATUS[a.status] : Array.isArray(a[key]) ? a[key].join(", ") : a[key];
      if (value === null || value === undefined || value === "") continue;
      fields.append(el("dt", label), el("dd", String(value)));
    }
    const docs = $("documents");
    docs.replaceChildren();
    for (const d of a.documents) {
      const item = el("li", `${d.kind} · ${d.number} · `);
      const link = el("a", "查看 View");
      if (/^(https?:\/\/|\/console\/api\/documents\/)/.test(d.url)) link.href = d.url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      item.append(link);
      docs.append(item);
    }
    const audit = $("audit");
    audit.replaceChildren(...data.audit.map(
      (e) => el("li", `${new Date(e.at).toLocaleString()} · ${e.actor} · ${e.action}${e.note ? " · " + e.note : ""}`)));
    $("start-review").hidden = a.status !== "submitted";
    $("suspend").hidden = a.status !== "approved";
    $("reinstate").hidden = a.status !== "suspended";
    for (const id of ["approve", "reject"]) $(id).disabled = a.status !== "under_review";
    $("error").textContent = "";
  }

  async function show(id) { render(await call(`/${encodeURIComponent(id)}`)); }

  async function act(path, body) {
    try {
      render(await call(`/${encodeURIComponent(current)}/${path}`, body));
      await loadQueue();
    } catch (err) {
      $("error").textContent = err.message;
    }
  }

  async function start() {
    const me = await fetch("/console/api/me");
    if (me.status === 401) { $("login-needed").hidden = false; return; }
    const who = await me.json();
    csrf = who.csrf_token;
    $("whoami").textContent = who.user.display_name;
    if (!["merchant_reviewer", "supervisor"].includes(who.user.role)) { $("forbidden").hidden = false; return; }
    $("desk").hidden = false;
    $("status-filter").addEventListener("change", loadQueue);
    $("start-review").addEventListener("click", () => act("review", {}));
    $("approve").addEventListener("click", () => act("approve", {note: $("note").value}));
    $("reject").addEventListener("click", () => {
      const reason = $("reason").value.trim();
      if (!reason) { $("error").textContent = "请填写驳回原因 A reason is needed"; return; }
      act("reject", {reason});
    });
    $("suspend").addEventListener("click", () => {
      const reason = $("reason").value.trim();
      if (!reason) { $("error").textContent = "请填写暂停原因 A reason is needed"; return; }
      act("suspend", {reason});
    });
    $("reinstate").addEventListener("click", () => act("reinstate", {note: $("note").value}));
    await loadQueue();
  }

  start();
})();
