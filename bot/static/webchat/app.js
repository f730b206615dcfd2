/* shopbot web chat: plain JavaScript, no build step.
 *
 * - Messages go out with POST /webchat/messages; the replies come back in the response.
 * - What the bot says on its own (shipment updates, price alerts, an agent) arrives over the
 *   WebSocket /webchat/ws as {"type": "push", "id", "reply"}; each push is saved to the local
 *   history first and acknowledged after, and the server re-sends anything unacknowledged on
 *   reconnect — so a dropped connection or a reload loses nothing.
 * - The sender id is random and kept in localStorage, with the conversation history.
 * Everything the bot sends is rendered with textContent (never innerHTML).
 */
(function () {
  "use strict";

  var T = {
    zh: {
      title: "购物助手", placeholder: "想买什么?比如:五千左右的轻薄本", send: "发送",
      details: "详情", buy: "购买", addToCart: "加入购物车", cart: "购物车", remove: "删除", each: "单价",
      unavailable: "已下架或缺货", savings: "已优惠", checkout: "去结算", openShare: "打开朋友分享的商品", group: "拼团", groupPrice: "拼团价", groupPeople: "已参团", groupEnds: "截止",
      groupShare: "分享给好友", groupCopied: "链接已复制,发给好友吧", groupStatuses: { open: "拼团中", complete: "已成团", failed: "未成团" }, emptyCart: "购物车是空的", pay: "去支付", total: "合计", order: "订单", status: "状态",
      carrier: "快递", tracking: "运单号", ticket: "售后单", service: "类型", alert: "降价提醒",
      target: "目标价", offers: "各平台价格", sales: "销量", rating: "评分", sellerScore: "商家评分", found: "共 {n} 件",
      reviews: "评价", variants: { colour: "颜色", size: "尺码", storage: "容量", flavour: "口味", pack: "规格" },
      failed: "发送失败,请重试", photo: "发照片", photo_failed: "照片没发出去,请换一张 JPG/PNG 照片再试", online: "已连接", offline: "连接中断,正在重连…", toggle: "EN",
      handoff: { waiting: "正在为你转接人工客服…", agent_joined: "人工客服已接入", returned_to_bot: "已回到机器人助手", left_queue: "已取消人工排队" },
      platforms: { taobao: "淘宝", jd: "京东", pdd: "拼多多" },
      carriers: { sim: "模拟快递", sf: "顺丰速运", jd: "京东物流", ems: "EMS", yto: "圆通速递", zto: "中通快递", sto: "申通快递", yd: "韵达快递" },
      statuses: { pending_payment: "待支付", paid: "已支付", confirmed: "已确认", shipped: "已发货",
        picked_up: "已揽收", in_transit: "运输中", out_for_delivery: "派送中", delivered: "已签收",
        completed: "已完成", cancelled: "已取消", refunded: "已退款", exception: "异常",
        open: "处理中", pending: "待处理", in_progress: "处理中", approved: "已同意", rejected: "已拒绝",
        resolved: "已解决", closed: "已关闭", active: "生效中", triggered: "已触发",
        submitted: "商家处理中", collected: "已揽收", delayed: "延误", lost: "丢件", rejected: "拒收" },
      orderStatuses: { created: "待支付" },
      shipmentStatuses: { created: "已发货" },
      ticketStatuses: { open: "已提交", merchant_processing: "商家处理中", approved: "商家已同意", rejected: "商家已拒绝",
        return_shipping: "退货寄回中", arbitration: "平台仲裁中", resolved: "已解决" },
      services: { "return": "退货", exchange: "换货", repair: "维修", refund: "退款", complaint: "投诉" }
    },
    en: {
      title: "Shopping assistant", placeholder: "What are you looking for? e.g. a light laptop around ¥5000",
      send: "Send", details: "Details", buy: "Buy", addToCart: "Add to cart", cart: "Cart", remove: "Remove",
      each: "each", unavailable: "delisted or out of stock", savings: "You save", checkout: "Check out", openShare: "Open the shared product", group: "Group buy", groupPrice: "Group price", groupPeople: "Joined", groupEnds: "Ends",
      groupShare: "Share with friends", groupCopied: "Link copied: send it to your friends", groupStatuses: { open: "Open", complete: "Complete", failed: "Not completed" }, emptyCart: "Your cart is empty", pay: "Pay now", total: "Total", order: "Order",
      status: "Status", carrier: "Carrier", tracking: "Tracking no.", ticket: "Ticket", service: "Type",
      alert: "Price alert", target: "Target", offers: "Prices by platform", sales: "sold", rating: "rating", sellerScore: "seller score",
      reviews: "Reviews", variants: { colour: "Colour", size: "Size", storage: "Storage", flavour: "Flavour", pack: "Pack" },
      found: "{n} found", failed: "Could not send, please try again", photo: "Send a photo",
      photo_failed: "The photo could not be sent; please try a JPG or PNG photo", online: "Connected",
      offline: "Connection lost, reconnecting…", toggle: "中",
      handoff: { waiting: "Connecting you to a person…", agent_joined: "An agent has joined", returned_to_bot: "Back to the assistant", left_queue: "You left the queue" },
      platforms: { taobao: "Taobao", jd: "JD", pdd: "Pinduoduo" },
      carriers: { sim: "Simulated carrier", sf: "SF Express", jd: "JD Logistics", ems: "EMS", yto: "YTO Express", zto: "ZTO Express", sto: "STO Express", yd: "Yunda Express" },
      statuses: { pending_payment: "Awaiting payment", paid: "Paid", confirmed: "Confirmed", shipped: "Shipped",
        picked_up: "Picked up", in_transit: "In transit", out_for_delivery: "Out for delivery",
        delivered: "Delivered", completed: "Completed", cancelled: "Cancelled", refunded: "Refunded",
        exception: "Exception", open: "Open", pending: "Pending", in_progress: "In progress",
        approved: "Approved", rejected: "Rejected", resolved: "Resolved", closed: "Closed",
        active: "Active", triggered: "Triggered", submitted: "With the merchant", collected: "Picked up",
        delayed: "Delayed", lost: "Lost", rejected: "Refused" },
      orderStatuses: { created: "Awaiting payment" },
      shipmentStatuses: { created: "Shipped" },
      ticketStatuses: { open: "Filed", merchant_processing: "With the merchant", approved: "Approved by the merchant",
        rejected: "Refused by the merchant", return_shipping: "Return on its way", arbitration: "Platform reviewing",
        resolved: "Resolved" },
      services: { "return": "Return", exchange: "Exchange", repair: "Repair", refund: "Refund", complaint: "Complaint" }
    }
  };

  function load(key, fallback) {
    try { var v = localStorage.getItem(key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: keep going */ }
  }
  function randomId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var sender = load("shopbot.sender", null);
  if (!sender) { sender = randomId(); save("shopbot.sender", sender); }
  var lang = load("shopbot.lang", null) ||
    (((navigator.language || "zh") + "").toLowerCase().indexOf("zh") === 0 ? "zh" : "en");
  var historyKey = "shopbot.history." + sender;
  var SECRET = "\u2022\u2022\u2022\u2022\u2022\u2022";  // what the transcript keeps of a password
  var history = load(historyKey, []);
  var seen = {};
  history.forEach(function (h) { if (h.id) { seen[h.id] = true; } });
  // the support agent now answering (their name), from the handoff notices: their messages are
  // shown under their own avatar and name, not the bot's
  var agent = null;
  function followAgent(entry) {
    var c = entry.reply && entry.reply.custom;
    if (c && c.type === "handoff") {
      agent = c.status === "agent_joined" && c.agent ? String(c.agent) : null;
      if (agent) { entry.agent = agent; }
    } else if (agent && entry.who === "bot" && entry.reply && !c) {
      entry.agent = agent;
    }
  }
  history.forEach(function (h) { if (h.who === "bot") { followAgent(h); } });

  var log = document.querySelector("[data-testid=log]");
  var form = document.querySelector("[data-testid=composer]");
  var input = document.querySelector("[data-testid=input]");
  var statusDot = document.querySelector("[data-testid=status]");
  var langButton = document.querySelector("[data-testid=lang-toggle]");

  function t(key) { return T[lang][key]; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else if (k === "onclick") { node.addEventListener("click", attrs[k]); }
      else if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url) ? url : null;
  }
  // "2026-11-23T04:23:45.2+00:00" → "11-23 12:23" in the shopper's time zone; other text as is.
  function shortTime(value) {
    if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) { return value || ""; }
    var d = new Date(value);
    if (isNaN(d.getTime())) { return value; }
    function two(n) { return ("0" + n).slice(-2); }
    return two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }
  // A picture that does not load (a product image host out of reach) is hidden, not shown broken.
  function image(attrs) {
    var node = el("img", attrs);
    node.addEventListener("error", function () { node.classList.add("broken"); node.setAttribute("hidden", ""); });
    return node;
  }
  function money(value, currency) {
    if (value === null || value === undefined || value === "") { return ""; }
    // the same as dialogue/presentation/money.py: ¥5,219.00 (payload amounts are decimal strings)
    var symbol = !currency || currency === "CNY" ? "¥" : (currency === "USD" ? "$" : currency + " ");
    var parts = String(value).split(".");
    var negative = parts[0].charAt(0) === "-";
    var whole = (negative ? parts[0].slice(1) : parts[0]).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ((parts[1] || "") + "00").slice(0, 2);
    return (negative ? "-" : "") + symbol + whole + "." + cents;
  }
  function platformTag(p) {
    return p ? el("span", { "class": "platform " + p, "data-testid": "platform", text: T[lang].platforms[p] || p }) : null;
  }
  function statusText(s, kind) {
    var special = kind && T[lang][kind + "Statuses"];
    return (s && ((special && special[s]) || T[lang].statuses[s])) || s || "";
  }
  function payloadJson(intent, entities) { return "/" + intent + JSON.stringify(entities); }

  // --- cards -------------------------------------------------------------------------
  function productCard(item, ordinal) {
    var img = safeUrl(item.image_url);
    var price = el("div", { "class": "price", "data-testid": "price", text: money(item.price, item.currency) },
      [item.original_price && String(item.original_price) !== String(item.price)
        ? el("del", { text: money(item.original_price, item.currency) }) : null]);
    var meta = [];
    if (item.sales !== undefined && item.sales !== null) { meta.push(lang === "zh" ? t("sales") + " " + item.sales : item.sales + " " + t("sales")); }
    if (item.rating !== undefined && item.rating !== null) { meta.push(t("rating") + " " + item.rating); }
    if (item.merchant_score !== undefined && item.merchant_score !== null) { meta.push(t("sellerScore") + " " + item.merchant_score); }
    var actions = el("div", { "class": "actions" }, [
      el("button", { type: "button", "data-testid": "details", text: t("details"),
        onclick: function () { send(payloadJson("show_details", { ordinal: ordinal, product_id: item.id }), t("details") + " #" + ordinal); } }),
      el("button", { type: "button", "data-testid": "add-to-cart", text: t("addToCart"),
        onclick: function () { send(payloadJson("add_to_cart", { product_id: item.id }), t("addToCart") + " #" + ordinal); } }),
      el("button", { type: "button", "class": "primary", "data-testid": "buy", text: t("buy"),
        onclick: function () { send(payloadJson("buy", { ordinal: ordinal, product_id: item.id }), t("buy") + " #" + ordinal); } })
    ]);
    return el("div", { "class": "card", "data-testid": "product-card", "data-product-id": item.id || "" }, [
      img ? image({ "class": "thumb", src: img, alt: item.title || "", loading: "lazy" }) : null,
      el("div", { "class": "body" }, [
        el("div", { "class": "title", "data-testid": "title", text: (ordinal + ". ") + (item.title || "") }),
        price,
        item.promotion ? el("div", { "class": "promo", text: item.promotion }) : null,
        el("div", { "class": "meta" }, [platformTag(item.platform), document.createTextNode(meta.length ? " " + meta.join(" · ") : "")]),
        actions
      ])
    ]);
  }

  function kvTable(pairs) {
    return el("table", { "class": "kv" }, pairs.filter(function (p) { return p[1] !== "" && p[1] !== undefined && p[1] !== null; })
      .map(function (p) { return el("tr", {}, [el("td", { text: p[0] }), el("td", { text: String(p[1]) })]); }));
  }

  function withClass(node, name) { node.classList.add(name); return node; }

  function productDetail(item, offers) {
    var img = safeUrl(item.image_url);
    var specs = Object.keys(item.specs || {}).map(function (k) { return [k, item.specs[k]]; });
    var variants = item.variants || {};
    specs = specs.concat(Object.keys(variants).map(function (k) {  // the choices the buy flow asks about
      return [T[lang].variants[k] || k, (variants[k] || []).join(" / ")];
    }));
    var traps = (item.variant_traps || []).map(function (v) {
      return el("div", { "class": "promo", "data-testid": "variant-trap",
        text: "⚠️ " + (T[lang].platforms[v.platform] || v.platform) + ": " + v.edition });
    });
    var reviews = (item.reviews || []).slice(0, 2).map(function (r) {
      return el("li", { text: "“" + r + "”" });
    });
    var children = [
      img ? image({ "class": "hero", src: img, alt: item.title || "" }) : null,
      el("div", { "class": "title", "data-testid": "title", text: item.title || "" }),
      el("div", { "class": "price", "data-testid": "price", text: money(item.price, item.currency) },
        [item.original_price && String(item.original_price) !== String(item.price) ? el("del", { text: money(item.original_price, item.currency) }) : null]),
      item.promotion ? el("div", { "class": "promo", text: item.promotion }) : null,
      el("div", { "class": "meta" }, [platformTag(item.platform)]),
      specs.length ? kvTable(specs) : null
    ].concat(traps);
    if (reviews.length) {
      children.push(el("div", { "class": "meta", text: t("reviews") }));
      children.push(el("ul", { "class": "reviews", "data-testid": "reviews" }, reviews));
    }
    if (offers && offers.length) {
      children.push(el("div", { "class": "meta", text: t("offers") }));
      children.push(el("table", { "class": "kv offers", "data-testid": "offers" }, offers.map(function (o) {
        return el("tr", { "data-testid": "offer" }, [
          el("td", { "data-testid": "offer-platform", text: T[lang].platforms[o.platform] || o.platform || "" }),
          el("td", { "data-testid": "offer-price", text: money(o.effective_price || o.price, o.currency) +
            (o.promotion ? " · " + o.promotion : "") })
        ]);
      })));
    }
    return el("div", { "class": "card wide", "data-testid": "product-detail" }, children);
  }

  function comparisonTable(custom) {
    var items = custom.items || [];
    var head = el("tr", {}, [el("th", { text: "" })].concat(items.map(function (it) { return el("th", { text: it.title || it.id || "" }); })));
    var rows = (custom.rows || []).map(function (row) {
      return el("tr", {}, [el("th", { text: row.label || "" })].concat((row.values || []).map(function (v) {
        return el("td", { text: v === null || v === undefined ? "—" : String(v) });
      })));
    });
    return el("div", { "class": "table-wrap", "data-testid": "comparison" }, [el("table", { "class": "compare" }, [head].concat(rows))]);
  }

  function orderCard(c) {
    var lines = (c.items || []).map(function (it) {
      var variant = it.variant_shown || (it.variant && typeof it.variant === "object"
        ? Object.keys(it.variant).map(function (k) { return it.variant[k]; }).join(" / ") : "");
      return [(it.title || it.product_id || "") + (variant ? "(" + variant + ")" : "") +
        (it.quantity ? " ×" + it.quantity : ""), money(it.price || it.unit_price, c.currency)];
    });
    // what the promotions took off (contracts/channels.md: price_breakdown, amounts negative)
    var discounts = (c.price_breakdown || []).map(function (row) {
      return [row.label || "", money(row.amount, c.currency)];
    });
    var pay = safeUrl(c.payment_url);
    return el("div", { "class": "card wide", "data-testid": "order-card", "data-order-id": c.order_id || null }, [
      el("div", { "class": "title", text: t("order") + " " + (c.order_id || "") }),
      el("div", { "class": "status-tag", "data-testid": "order-status", text: statusText(c.status, "order") }),
      withClass(kvTable(lines.concat(discounts, [[t("total"), money(c.total, c.currency)]])), "lines"),
      pay ? el("div", { "class": "actions" }, [el("a", { "class": "primary", href: pay, target: "_blank", rel: "noopener", "data-testid": "pay", text: t("pay") })]) : null
    ]);
  }

  // contracts/channels.md `cart`: a line per offer with − / + / remove, a subtotal per platform, the total
  function cartCard(c) {
    var items = c.items || [];
    var rows = items.map(function (it) {
      var variant = it.variant_shown || (it.variant && typeof it.variant === "object"
        ? Object.keys(it.variant).map(function (k) { return it.variant[k]; }).join(" / ") : "");
      var gone = it.available === false || it.price === null || it.price === undefined;
      function setQty(n) {
        send(payloadJson("cart_set_quantity", { line_id: it.line_id, quantity: n }), (it.title || "") + " ×" + n);
      }
      return el("div", { "class": "cart-line" + (gone ? " gone" : ""), "data-testid": "cart-line", "data-line-id": it.line_id || null }, [
        el("div", { "class": "cart-text" }, [
          el("div", { "class": "title", "data-testid": "cart-title", text: (it.title || it.product_id || "") }),
          el("div", { "class": "meta" }, [platformTag(it.platform), document.createTextNode(
            (variant ? " " + variant : "") + (gone ? " · " + t("unavailable") : " · " + money(it.price, c.currency) + " " + t("each")))])
        ]),
        el("div", { "class": "cart-qty" }, [
          el("button", { type: "button", "data-testid": "cart-minus", text: "−", disabled: it.quantity <= 1 ? "" : null,
            onclick: function () { if (it.quantity > 1) { setQty(it.quantity - 1); } } }),
          el("span", { "data-testid": "cart-quantity", text: String(it.quantity) }),
          el("button", { type: "button", "data-testid": "cart-plus", text: "+", disabled: it.quantity >= 99 ? "" : null,
            onclick: function () { if (it.quantity < 99) { setQty(it.quantity + 1); } } }),
          el("button", { type: "button", "class": "link", "data-testid": "cart-remove", text: t("remove"),
            onclick: function () { send(payloadJson("cart_remove", { line_id: it.line_id }), t("remove") + " " + (it.title || "")); } })
        ]),
        el("div", { "class": "cart-sum", text: gone ? "—" : money(it.line_total, c.currency) })
      ]);
    });
    var stores = (c.stores || []).map(function (s) {
      // the merchant's name is the platform's (Chinese) text: shown to Chinese readers only
      var name = T[lang].platforms[s.platform] || s.platform;
      return [lang === "zh" && s.merchant ? name + " · " + s.merchant : name, money(s.subtotal, c.currency)];
    });
    var hints = (c.stores || []).filter(function (s) { return s.hint; }).map(function (s) {
      return el("div", { "class": "meta cart-hint", "data-testid": "cart-hint", text: s.hint });
    });
    var live = items.some(function (it) { return it.available !== false && it.price !== null && it.price !== undefined; });
    if (c.savings && Number(c.savings) > 0) { stores.push([t("savings"), money("-" + c.savings, c.currency)]); }
    stores.push([t("total"), money(c.total, c.currency)]);
    return el("div", { "class": "card wide", "data-testid": "cart-card" }, [
      el("div", { "class": "title", text: t("cart") }),
      items.length ? el("div", { "class": "cart-lines" }, rows) : el("div", { "class": "meta", text: t("emptyCart") }),
      items.length ? withClass(kvTable(stores), "lines") : null
    ].concat(hints, [live ? el("div", { "class": "actions" }, [el("button", { type: "button", "class": "primary", "data-testid": "cart-checkout",
      text: t("checkout"), onclick: function () { send("/checkout", t("checkout")); } })]) : null]));
  }

  function shipmentCard(c) {
    var events = (c.events || []).map(function (e) {
      return el("li", {}, [el("time", { datetime: e.time || null, text: shortTime(e.time) }),
        document.createTextNode([e.description || statusText(e.status), e.location || ""].filter(Boolean).join(" · "))]);
    });
    return el("div", { "class": "card wide", "data-testid": "shipment-card",
                       "data-tracking-number": c.tracking_number || null }, [
      el("div", { "class": "title", text: ((c.carrier && T[lang].carriers[c.carrier]) || c.carrier || "") + " " + (c.tracking_number || "") }),
      el("div", { "class": "status-tag", "data-testid": "shipment-status", text: statusText(c.status, "shipment") }),
      kvTable([[t("order"), c.order_id || ""]]),
      events.length ? el("ol", { "class": "timeline" }, events) : null
    ]);
  }

  function ticketCard(c) {
    return el("div", { "class": "card wide", "data-testid": "ticket-card" }, [
      el("div", { "class": "title", text: t("ticket") + " " + (c.ticket_id || "") }),
      el("div", { "class": "status-tag", "data-testid": "ticket-status", text: statusText(c.status, "ticket") }),
      kvTable([[t("order"), c.order_id || ""], [t("service"), T[lang].services[c.service_type] || c.service_type || ""]])
    ]);
  }

  function alertCard(c) {
    return el("div", { "class": "card wide", "data-testid": "alert-card" }, [
      el("div", { "class": "title", text: t("alert") + " " + (c.alert_id || "") }),
      el("div", { "class": "status-tag", text: statusText(c.status) }),
      kvTable([["ID", c.product_id || ""], [t("target"), c.target_price ? money(c.target_price) : (c.percent_drop ? "-" + c.percent_drop + "%" : "")]])
    ]);
  }

  // contracts/channels.md `group_buy`: price, members joined of the size, the deadline, the QR code
  // and a share button (the phone's share sheet, else the link copied)
  function groupCard(c) {
    var url = safeUrl(c.share_url);
    var note = el("div", { "class": "meta", "data-testid": "group-share-note" });
    function share() {
      if (navigator.share) {
        navigator.share({ title: c.title || t("group"), url: url }).catch(function () {});
        return;
      }
      var done = function () { note.textContent = t("groupCopied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { note.textContent = url; });
      } else { note.textContent = url; }
    }
    var qr = safeUrl(c.qr_url);
    var open = c.status === "open";
    return el("div", { "class": "card wide group-card", "data-testid": "group-card", "data-group-id": c.group_id || null }, [
      el("div", { "class": "title", text: t("group") + " · " + (c.title || "") }),
      el("div", { "class": "status-tag", "data-testid": "group-status", text: (T[lang].groupStatuses[c.status] || c.status || "") }),
      withClass(kvTable([[t("groupPrice"), money(c.group_price, c.currency)],
                         [t("groupPeople"), String(c.joined || 0) + " / " + String(c.size || "")],
                         [t("groupEnds"), shortTime(c.expires_at)]]), "lines"),
      open && qr ? image({ "class": "image group-qr", "data-testid": "group-qr", src: qr, alt: t("groupShare") }) : null,
      open && url ? el("div", { "class": "actions" }, [el("button", { type: "button", "class": "primary",
        "data-testid": "group-share", text: t("groupShare"), onclick: share })]) : null,
      note
    ]);
  }

  function customNode(c) {
    if (!c || typeof c !== "object") { return null; }
    switch (c.type) {
      case "products":
        return el("div", { "class": "cards", "data-testid": "products" },
          (c.items || []).map(function (it, i) { return productCard(it, i + 1); }));
      case "product": return productDetail(c.item || {}, c.offers || (c.item || {}).offers);
      case "comparison": return comparisonTable(c);
      case "order": return orderCard(c);
      case "cart": return cartCard(c);
      case "shipment": return shipmentCard(c);
      case "ticket": return ticketCard(c);
      case "price_alert": return alertCard(c);
      case "group_buy": return groupCard(c);
      case "handoff": return el("div", { "class": "notice", "data-testid": "handoff", text: (T[lang].handoff[c.status] || c.status || "") });
      default: return null;
    }
  }

  // --- log ---------------------------------------------------------------------------
  function renderEntry(entry) {
    if (entry.who === "notice") { return el("div", { "class": "notice", text: entry.text }); }
    var mine = entry.who === "me";
    var parts = [];
    if (mine && entry.image) {
      parts.push(image({ "class": "image sent-photo", "data-testid": "sent-photo", src: safeUrl(entry.image), alt: t("photo") }));
    } else if (mine) {
      parts.push(el("div", { "class": "bubble", text: entry.text }));
    } else {
      var r = entry.reply || {};
      // a list or details reply is shown once: its cards under a one-line header (the REST reply
      // keeps the full text for text-only clients; the card shows the rest)
      var carded = r.custom && (r.custom.type === "products" || r.custom.type === "product" || r.custom.type === "cart");
      var lines = (r.text || "").split("\n");  // details: the best-price line (the card has the title)
      var text = carded ? (r.custom.type === "product" && lines[1] ? lines[1] : lines[0]) : r.text;
      if (entry.agent) {  // the agent's name is on the bubble: "小王:" before the text says it twice
        parts.push(el("div", { "class": "agent-name", "data-testid": "agent-name", text: entry.agent }));
        [entry.agent + "\uff1a", entry.agent + ": ", entry.agent + ":"].forEach(function (prefix) {
          if (text && text.indexOf(prefix) === 0) { text = text.slice(prefix.length); }
        });
      }
      if (text) { parts.push(el("div", { "class": "bubble", "data-testid": "bot-text", text: text })); }
      var img = safeUrl(r.image);
      var cardImage = r.custom && r.custom.type === "product" && r.custom.item ? r.custom.item.image_url
        : r.custom && r.custom.type === "group_buy" ? r.custom.qr_url : null;
      if (img && img !== cardImage) {  // else the product card already shows this picture
        parts.push(image({ "class": "image", "data-testid": "image", src: img, alt: "" }));
      }
      parts.push(customNode(r.custom));
      // each card has its own Details / Buy buttons: no "Details #n" chips beside them
      // ... and a cart card has its own Check out button: no second one beside it
      var buttons = (r.buttons || []).filter(function (b) {
        var payload = String(b.payload || "");
        return !(r.custom && r.custom.type === "products" && payload.indexOf("/show_details") === 0) &&
          !(r.custom && r.custom.type === "cart" && (r.custom.items || []).length && payload === "/checkout");
      });
      if (buttons.length) {
        parts.push(el("div", { "class": "buttons" }, buttons.map(function (b) {
          return el("button", { type: "button", "data-testid": "reply-button", "data-payload": b.payload, text: b.title,
            onclick: function () { send(b.payload, b.title); } });
        })));
      }
    }
    return el("div", { "class": "row " + (mine ? "me" : entry.agent ? "bot agent" : "bot"),
                       "data-testid": mine ? "msg-me" : entry.agent ? "msg-agent" : "msg-bot",
                       "data-push-id": entry.id || null }, [
      el("div", { "class": "avatar", "data-testid": entry.agent ? "agent-avatar" : null, title: entry.agent || null,
                  text: mine ? (lang === "zh" ? "我" : "Me") : entry.agent ? Array.from(entry.agent)[0] : (lang === "zh" ? "购" : "Bot") }),
      el("div", { "class": "stack" }, parts)
    ]);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addEntry(entry) {
    if (entry.id) { if (seen[entry.id]) { return; } seen[entry.id] = true; }
    if (entry.who === "bot") { followAgent(entry); }
    history.push(entry);
    if (history.length > 300) { history = history.slice(-300); }
    save(historyKey, history);
    append(entry);
    scrollDown();
  }

  // A newer card of the same order (paid, shipped…) retires the pay link of the older ones.
  function append(entry) {
    var node = renderEntry(entry);
    var c = entry.reply && entry.reply.custom;
    if (c && c.type === "order" && c.order_id && !c.payment_url) {
      log.querySelectorAll("[data-testid=order-card]").forEach(function (card) {
        if (card.getAttribute("data-order-id") !== String(c.order_id)) { return; }
        card.querySelectorAll("[data-testid=pay]").forEach(function (a) { a.parentNode.removeChild(a); });
        card.classList.add("superseded");
      });
    }
    log.appendChild(node);
  }

  function renderAll() {
    document.documentElement.lang = lang === "zh" ? "zh" : "en";
    document.title = t("title") + " · shopbot";
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.getAttribute("data-i18n-placeholder")); });
    document.querySelectorAll("[data-i18n-title]").forEach(function (n) { n.title = t(n.getAttribute("data-i18n-title")); });
    langButton.textContent = t("toggle");
    log.textContent = "";
    history.forEach(append);
    scrollDown();
  }

  // --- sending -----------------------------------------------------------------------
  var busy = false;
  function send(text, display) {
    text = (text || "").trim();
    if (!text) { return; }
    addEntry({ who: "me", text: display || text });
    busy = true;
    fetch("/webchat/messages", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, text: text, language: lang })
    }).then(function (resp) {
      if (!resp.ok) { throw new Error("HTTP " + resp.status); }
      return resp.json();
    }).then(function (data) {
      (data.replies || []).forEach(function (reply) { addEntry({ who: "bot", reply: reply }); });
      return syncHistory();
    }).catch(function () {
      addEntry({ who: "notice", text: t("failed") });
    }).then(function () { busy = false; });
  }

  // --- one history per shopper ----------------------------------------------------------
  // Signed in to an account, this browser is that shopper: the server's history (every channel
  // and browser of the account) replaces this browser's own copy when the shopper changes.
  var shopperKey = "shopbot.shopper." + sender;
  // A password typed in the chat is kept masked by the server: keep this browser's copy masked too.
  function lastMine(entries) {
    for (var i = entries.length - 1; i >= 0; i--) { if (entries[i].who === "me") { return entries[i]; } }
    return null;
  }
  function maskSecret(entries) {
    var theirs = lastMine(entries), mine = lastMine(history);
    if (!theirs || !mine || theirs.text !== SECRET || mine.text === SECRET) { return; }
    mine.text = SECRET;
    save(historyKey, history);
    renderAll();
  }
  function syncHistory() {
    return fetch("/webchat/history?sender=" + encodeURIComponent(sender)).then(function (resp) {
      return resp.ok ? resp.json() : null;
    }).then(function (data) {
      if (!data || !data.shopper) { return; }
      var known = load(shopperKey, null);
      save(shopperKey, data.shopper);
      if (known === null || known === data.shopper) {  // first visit, or the same shopper
        maskSecret(data.entries || []);
        return;
      }
      history = (data.entries || []).slice(-300);
      save(historyKey, history);
      renderAll();
    }).catch(function () { /* offline: keep this browser's copy */ });
  }

  // a photo (after-sales: what is broken): made smaller in the browser (a phone photo is often
  // over the server's 5 MB), sent as JPEG; the bot adds it to the shopper's ticket in progress
  function shrink(file) {
    return new Promise(function (resolve) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }
  var photoInput = document.querySelector("[data-testid=photo-input]");
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (!file) { return; }
    busy = true;
    shrink(file).then(function (blob) {
      return fetch("/webchat/photos?sender=" + encodeURIComponent(sender) + "&language=" + lang, {
        method: "POST", headers: { "Content-Type": blob.type || "application/octet-stream" }, body: blob
      });
    }).then(function (resp) {
      if (!resp.ok) { throw new Error("HTTP " + resp.status); }
      return resp.json();
    }).then(function (data) {
      addEntry({ who: "me", image: data.url });
      (data.replies || []).forEach(function (reply) { addEntry({ who: "bot", reply: reply }); });
    }).catch(function () {
      addEntry({ who: "notice", text: t("photo_failed") });
    }).then(function () { busy = false; });
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  langButton.addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh";
    save("shopbot.lang", lang);
    renderAll();
  });

  // --- pushes ------------------------------------------------------------------------
  var socket = null;
  var attempts = 0;
  function setStatus(state) {
    statusDot.setAttribute("data-state", state);
    statusDot.title = state === "online" ? t("online") : t("offline");
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + "/webchat/ws?sender=" + encodeURIComponent(sender));
    socket.onopen = function () { attempts = 0; setStatus("online"); };
    socket.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type !== "push" || !msg.id) { return; }
      addEntry({ who: "bot", reply: msg.reply || {}, id: msg.id });  // saved before the ack
      socket.send(JSON.stringify({ type: "ack", ids: [msg.id] }));
    };
    socket.onclose = function () {
      setStatus("offline");
      var delay = Math.min(10000, 500 * Math.pow(2, attempts++));
      setTimeout(connect, delay);
    };
  }

  window.shopbot = { sender: sender, isBusy: function () { return busy; } };
  renderAll();
  syncHistory();
  connect();
  // a share link (/?s=<share id>) opens the chat on the shared product
  var shared = new URLSearchParams(location.search).get("s");
  if (shared && /^s[A-Za-z0-9_-]{6,40}$/.test(shared)) {  // a group buy's link too (sg…)
    window.history.replaceState(null, "", location.pathname);  // `history` here is the conversation
    send(payloadJson("open_share", { share_id: shared }), t("openShare"));
  }
})();
