// The playground page: one snapshot over server-sent events, actions as small JSON POSTs.
// Every message is built as DOM nodes from its text and entities, never parsed as HTML.
"use strict";

const TEXTS = {
  fa: {
    title: "زمین بازی sms-bridge", hint: "ربات واقعی، تلگرام و پنل‌های پیامک ساختگی؛ بی‌توکن و بی‌حساب",
    chat: "گفتگو در تلگرام", you_are: "شما:", in: "در:", admin: "مدیر (سارا)", operator: "اپراتور (امید)",
    viewer: "بیننده (ویدا)", stranger: "غریبه", private: "گفتگوی خصوصی با ربات", group: "گروه خط",
    admins: "گروه مدیران", send: "بفرست", replying: "در پاسخ به:", upload: "فرستادن فایل (مثلاً برای /bulk)",
    phone: "گوشی مشتری", number: "شماره:", outcome: "پیامک‌هایی که به این شماره می‌رسد:",
    delivered: "تحویل شود", undelivered: "تحویل نشود", blocked: "مسدود باشد", send_sms: "پیامک بفرست",
    to_line: "به خط", from_line: "از خط", faults: "خرابی‌ها", calls: "آنچه به پنل‌ها رفت",
    outage: "قطعی", no_credit: "بی‌اعتباری", slow: "کندی", flood: "محدودیت سرعت", edited: "ویرایش‌شده",
    reply: "پاسخ", empty: "هنوز پیامی نیست", lang: "English", bot: "ربات", file: "فایل",
    telegram: "تلگرام", raygan: "RayganSMS", payamak: "Payamak",
    st_pending: "در صف", st_at_carrier: "نزد اپراتور", st_delivered: "تحویل شد", st_undelivered: "تحویل نشد",
    st_blocked: "مسدود", st_failed: "ناموفق",
  },
  en: {
    title: "sms-bridge playground", hint: "the real bot; a fake Telegram and fake SMS panels; no token, no account",
    chat: "Telegram chat", you_are: "You are:", in: "In:", admin: "admin (Sara)", operator: "operator (Omid)",
    viewer: "viewer (Vida)", stranger: "a stranger", private: "private chat with the bot", group: "the line's group",
    admins: "the admins' group", send: "Send", replying: "Replying to:", upload: "upload a file (say, for /bulk)",
    phone: "Customer's phone", number: "Number:", outcome: "SMS sent to this number get:",
    delivered: "delivered", undelivered: "undelivered", blocked: "blocked", send_sms: "Send SMS",
    to_line: "to line", from_line: "from line", faults: "Faults", calls: "What went to the providers",
    outage: "outage", no_credit: "no credit", slow: "slow", flood: "flood limits", edited: "edited",
    reply: "reply", empty: "no messages yet", lang: "فارسی", bot: "bot", file: "file",
    telegram: "Telegram", raygan: "RayganSMS", payamak: "Payamak",
    st_pending: "queued", st_at_carrier: "at the carrier", st_delivered: "delivered", st_undelivered: "undelivered",
    st_blocked: "blocked", st_failed: "failed",
  },
};
const SWITCHES = [["raygan", ["outage", "no_credit", "slow"]], ["payamak", ["outage", "no_credit", "slow"]],
  ["telegram", ["outage", "flood"]]];

let lang = localStorage.getItem("playground-lang") || "fa";
let state = null;
let replyTo = null;
const $ = (id) => document.getElementById(id);
const t = (key) => TEXTS[lang][key] ?? key;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);  // strings become text nodes
  return node;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, "http://invalid/");
    return ["http:", "https:", "tg:", "mailto:", "tel:"].includes(parsed.protocol) ? parsed.href : null;
  } catch { return null; }
}

// The element an entity shows as (Telegram's MessageEntity types).
function entityNode(entity, text) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "spoiler": return el("span", { class: "spoiler" });
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "text_link": case "url": {
      const href = safeUrl(entity.type === "url" ? text : entity.url);
      return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
    }
    case "email": return el("a", { href: "mailto:" + text });
    case "text_mention": return el("a", { href: "#", class: "mention" });
    default: return el("span", { class: entity.type });
  }
}

// Text and entities (offsets in UTF-16 code units, as JavaScript strings count) into DOM nodes.
function renderEntities(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const frag = document.createDocumentFragment();
  const build = (parent, start, end, list) => {
    let pos = start;
    let i = 0;
    while (i < list.length) {
      const e = list[i++];
      const from = Math.max(e.offset, pos);
      const to = Math.min(e.offset + e.length, end);
      if (to <= from) continue;
      if (from > pos) parent.append(text.slice(pos, from));
      const inner = [];
      while (i < list.length && list[i].offset < to) inner.push(list[i++]);
      const node = entityNode(e, text.slice(from, to));
      build(node, from, to, inner);
      parent.append(node);
      pos = to;
    }
    if (pos < end) parent.append(text.slice(pos, end));
  };
  build(frag, 0, text.length, sorted);
  return frag;
}

function chatKey() {
  const where = $("where").value;
  return where === "private" ? `${$("role").value}:private` : where;
}

function nameOf(message) {
  if (message.from_bot) return t("bot");
  for (const [role, id] of Object.entries(state.roles)) if (id === message.from_user_id) return t(role);
  return String(message.from_user_id);
}

function renderChat() {
  const log = $("chat-log");
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const messages = (state.chats[chatKey()] || []).filter((m) => m.text || m.document);
  const byId = new Map(messages.map((m) => [m.message_id, m]));
  const me = state.roles[$("role").value];
  log.replaceChildren(...(messages.length ? [] : [el("p", { class: "empty" }, t("empty"))]));
  for (const m of messages) {
    const node = el("div", {
      class: "msg" + (m.from_bot ? " bot" : "") + (m.from_user_id === me ? " me" : "") + (m.deleted ? " deleted" : ""),
      dataset: { id: String(m.message_id) },
    });
    node.append(el("div", { class: "who" }, nameOf(m)));
    if (m.reply_to !== null && byId.has(m.reply_to)) {
      node.append(el("div", { class: "quote", dir: "auto" }, byId.get(m.reply_to).text || t("file")));
    }
    if (m.document) node.append(el("div", { class: "doc" }, "📄 " + m.document));
    const body = el("div", { class: "body", dir: "auto" });
    body.append(renderEntities(m.text, m.entities));
    node.append(body);
    if (m.buttons.length) {
      const grid = el("div", { class: "buttons" });
      for (const row of m.buttons) {
        const r = el("div", { class: "row" });
        for (const b of row) {
          if (b.callback_data !== undefined) {
            r.append(el("button", { type: "button", dir: "auto", onclick: () => act("press", {
              role: $("role").value, where: $("where").value, message_id: m.message_id, data: b.callback_data,
            }) }, b.text));
          } else if (b.url && safeUrl(b.url)) {
            r.append(el("a", { href: safeUrl(b.url), target: "_blank", rel: "noopener noreferrer" }, b.text));
          }
        }
        grid.append(r);
      }
      node.append(grid);
    }
    const meta = el("div", { class: "meta" });
    if (m.edits) meta.append(el("span", { class: "edited" }, t("edited")));
    meta.append(el("button", { type: "button", class: "reply-btn", onclick: () => startReply(m) }, "↩ " + t("reply")));
    node.append(meta);
    log.append(node);
  }
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function startReply(message) {
  replyTo = message.message_id;
  $("reply-quote").textContent = message.text || t("file");
  $("reply-banner").hidden = false;
  $("chat-input").focus();
}

function endReply() { replyTo = null; $("reply-banner").hidden = true; }

function renderPhone() {
  $("customer").textContent = state.customer;
  const log = $("phone-log");
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const items = [];
  const both = [...state.phone.received.map((s) => ({ ...s, out: false })),
    ...state.phone.sent.map((s) => ({ ...s, out: true }))].sort((a, b) => a.at - b.at);
  for (const sms of both) {
    if (sms.out) {
      items.push(el("div", { class: "sms out" }, el("div", { class: "meta" }, `${t("to_line")} ${sms.line}`),
        el("div", { class: "text", dir: "auto" }, sms.text)));
      continue;
    }
    const node = el("div", { class: "sms in" }, el("div", { class: "meta" }, `${t("from_line")} ${sms.line}`));
    node.append(el("div", { class: "text", dir: "auto" }, sms.text));
    if (sms.state) {
      node.append(el("div", { class: "meta" }, el("span", { class: "state " + sms.state }, t("st_" + sms.state))));
    }
    items.push(node);
  }
  log.replaceChildren(...items);
  if (atBottom) log.scrollTop = log.scrollHeight;
  if (document.activeElement !== $("outcome")) $("outcome").value = state.outcome;
  const line = $("phone-line");
  if (!line.options.length) {
    for (const [key, number] of Object.entries(state.lines)) line.append(el("option", { value: key }, number));
  }
}

function renderSide() {
  const box = $("switches");
  box.replaceChildren();
  for (const [where, kinds] of SWITCHES) {
    box.append(el("b", {}, t(where)));
    for (let i = 0; i < 3; i++) {
      const kind = kinds[i];
      if (!kind) { box.append(el("span")); continue; }
      const name = `${where}.${kind}`;
      const input = el("input", { type: "checkbox", dataset: { switch: name },
        onchange: (e) => act("switch", { name, on: e.target.checked }) });
      input.checked = Boolean(state.switches[name]);
      box.append(el("label", {}, input, " ", t(kind)));
    }
  }
  const calls = $("calls");
  const atBottom = calls.scrollHeight - calls.scrollTop - calls.clientHeight < 40;
  calls.replaceChildren(...state.calls.map((c) => el("li", {}, el("span", { class: "method" }, `${c.provider} ${c.method}`),
    " ", c.body)));
  if (atBottom) calls.scrollTop = calls.scrollHeight;
}

function render() {
  if (!state) return;
  renderChat();
  renderPhone();
  renderSide();
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "fa" ? "rtl" : "ltr";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-title]")) node.title = t(node.dataset.tTitle);
  $("lang").textContent = t("lang");
  render();
}

async function act(action, body) {
  const response = await fetch(`/api/${action}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!answer.ok) {
    $("toast").textContent = answer.error;
    $("toast").hidden = false;
    setTimeout(() => { $("toast").hidden = true; }, 4000);
  }
  return answer.ok;
}

$("chat-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("chat-input").value;
  if (!text) return;
  const body = { role: $("role").value, where: $("where").value, text };
  if (replyTo !== null) body.reply_to = replyTo;
  if (await act("say", body)) { $("chat-input").value = ""; endReply(); }
});

$("file-input").addEventListener("change", () => {
  const file = $("file-input").files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = async () => {
    const content = String(reader.result).split(",", 2)[1] || "";
    const body = { role: $("role").value, where: $("where").value, filename: file.name,
      content_base64: content, caption: $("chat-input").value };
    if (replyTo !== null) body.reply_to = replyTo;
    if (await act("upload", body)) { $("chat-input").value = ""; endReply(); }
    $("file-input").value = "";
  };
  reader.readAsDataURL(file);
});

$("phone-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("phone-input").value;
  if (!text) return;
  if (await act("phone", { text, provider: $("phone-line").value })) $("phone-input").value = "";
});

$("outcome").addEventListener("change", () => act("outcome", { outcome: $("outcome").value }));
$("role").addEventListener("change", () => { endReply(); render(); });
$("where").addEventListener("change", () => { endReply(); render(); });
$("reply-cancel").addEventListener("click", endReply);
$("lang").addEventListener("click", () => {
  lang = lang === "fa" ? "en" : "fa";
  localStorage.setItem("playground-lang", lang);
  applyLanguage();
});

const events = new EventSource("/api/events");
events.onmessage = (e) => { state = JSON.parse(e.data); render(); document.body.dataset.ready = "1"; };
applyLanguage();
