// The spot-check desk: checks to pass or fail (with a reason), appealed delistings to decide.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = "";
  const el = (tag, text) => { const e = document.createElement(tag); e.textContent = text; return e; };
  const PLATFORMS = {taobao: "淘宝 Taobao", jd: "京东 JD", pdd: "拼多多 PDD"};

  async function call(path, body) {
    const opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json",
                                                                        "X-CSRF-Token": csrf},
                                           body: JSON.stringify(body)};
    const resp = await fetch(path, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(typeof data.detail === "string" ? data.detail : resp.statusText);
    return data;
  }

  function reasonRow(item, label, onSubmit) {
    const input = el("input", "");
    input.maxLength = 2000;
    input.placeholder = "原因 Reason";
    input.setAttribute("aria-label", "原因 Reason");
    const row = el("div", "");
    row.className = "actions";
    row.append(input);
    for (const [text, value, cls] of label) {
      const b = el("button", text);
      b.type = "button";
      b.className = cls;
      b.addEventListener("click", async () => {
        const reason = input.value.trim();
        if (!reason) { $("error").textContent = "请填写原因 A reason is needed"; input.focus(); return; }
        b.disabled = true;
        try { await onSubmit(value, reason); } catch (err) { $("error").textContent = err.message; b.disabled = false; }
      });
      row.append(b);
    }
    item.append(row);
  }

  async function loadChecks() {
    const data = await call("/console/api/spot-checks");
    const list = $("checks");
    list.replaceChildren();
    $("empty-checks").hidden = data.checks.length > 0;
    for (const c of data.checks) {
      const item = el("li", "");
      item.dataset.id = c.check_id;
      item.append(el("strong", c.title), el("div", `${c.merchant} · ${PLATFORMS[c.platform] || c.platform} · ${c.product_id} · ${c.category} · 风险 risk ${c.risk}`));
      reasonRow(item, [["合格 Pass", true, "pass"], ["不合格 Fail", false, "fail"]], async (passed, reason) => {
        const r = await call(`/console/api/spot-checks/${encodeURIComponent(c.check_id)}/result`, {passed, reason});
        $("error").textContent = "";
        let text = passed ? `已记录合格 Passed: ${c.title}` : `已下架 Delisted: ${c.title}`;
        text += ` · ${r.merchant.merchant}: 不合格 ${r.merchant.failed_checks} 次 failed`;
        if (r.merchant.suspended_now) text += ` · 商家已暂停 merchant suspended · 待处理订单 open orders: ${r.flagged_orders.join(", ") || "—"}`;
        $("outcome").textContent = text;
        await loadChecks();
      });
      list.append(item);
    }
  }

  async function loadAppeals() {
    const data = await call("/console/api/delistings?status=appealed");
    const list = $("appeals");
    list.replaceChildren();
    $("empty-appeals").hidden = data.delistings.length > 0;
    for (const d of data.delistings) {
      const item = el("li", "");
      item.dataset.id = d.delisting_id;
      item.append(el("strong", d.title), el("div", `${d.merchant} · 下架原因 Why: ${d.reason}`),
                  el("div", `申诉 Appeal: ${d.appeal}`));
      reasonRow(item, [["恢复上架 Relist", true, "pass"], ["维持下架 Keep delisted", false, "fail"]], async (relist, note) => {
        await call(`/console/api/delistings/${encodeURIComponent(d.delisting_id)}/decision`, {relist, note});
        $("outcome").textContent = relist ? `已恢复上架 Relisted: ${d.title}` : `维持下架 Kept delisted: ${d.title}`;
        await loadAppeals();
      });
      list.append(item);
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
    await Promise.all([loadChecks(), loadAppeals()]);
  }

  start();
})();
