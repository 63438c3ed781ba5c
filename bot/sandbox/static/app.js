// The sandbox's page: four chats side by side, kept live by server-sent events.
// Every text the bot or a person wrote is put in the page with DOM text APIs (textContent, createElement),
// formatted from Telegram's entities: nothing anyone typed is ever parsed as HTML here.
"use strict";

const store = { chats: new Map(), people: new Map(), groups: new Map(), state: null, lastId: 0 };
const panes = [];

function chatOf(id) {
  if (!store.chats.has(id)) store.chats.set(id, { messages: new Map(), pinned: [], keyboard: null, reactions: new Map() });
  return store.chats.get(id);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function call(url, body, isForm) {
  const options = { method: "POST", body: isForm ? body : JSON.stringify(body) };
  if (!isForm) options.headers = { "Content-Type": "application/json" };
  try {
    const response = await fetch(url, options);
    const answer = await response.json();
    if (!answer.ok) showAlert(answer.error || "refused");
    return answer;
  } catch (error) {
    showAlert(String(error));
    return { ok: false };
  }
}

function showAlert(text) {
  const box = document.getElementById("alert");
  box.querySelector("p").textContent = text;
  box.hidden = false;
  box.querySelector("button").focus();
}

// --- time -------------------------------------------------------------------------------

// A message's time; with its day when that is not the sandbox's today (the clock may have moved on).
function formatTime(seconds) {
  const zone = store.state.zone;
  const day = (date) => new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "numeric", month: "short" }).format(date);
  const at = new Date(seconds * 1000);
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(at);
  const today = store.clockBase ? new Date(store.clockBase.at + (Date.now() - store.clockBase.seen)) : new Date();
  return day(at) === day(today) ? time : day(at) + " " + time;
}

function showClock(iso) {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: store.state.zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  store.clockBase = { at: new Date(iso).getTime(), seen: Date.now() };
  const tick = () => {
    const now = store.clockBase.at + (Date.now() - store.clockBase.seen);
    document.querySelector("[data-testid=clock]").textContent = "🕒 " + format.format(new Date(now)) + " (" + store.state.zone + ")";
  };
  tick();
  clearInterval(store.clockTimer);
  store.clockTimer = setInterval(tick, 20000);
}

// --- text from entities -----------------------------------------------------------------

const SIMPLE = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote" };

function entityElement(pane, entity, inner) {
  if (SIMPLE[entity.type]) return el(SIMPLE[entity.type]);
  if (entity.type === "spoiler") return el("span", "spoiler");
  if (entity.type === "url" || entity.type === "text_link") {
    const href = entity.type === "url" ? inner : entity.url;
    const link = el("a");
    if (/^(https?|tg):/i.test(href || "")) {
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.addEventListener("click", (event) => { if (pane.openLink(href)) event.preventDefault(); });
    }
    return link;
  }
  if (entity.type === "bot_command") {
    const command = el("span", "cmd");
    command.addEventListener("click", () => pane.sendText(inner));
    return command;
  }
  return el("span", "entity-" + entity.type);
}

// Entities nest; offsets are UTF-16 units, as JavaScript strings count.
function renderEntities(pane, text, entities, start, end, parent) {
  const list = entities.filter((e) => e.offset >= start && e.offset + e.length <= end)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let position = start;
  for (let i = 0; i < list.length; i++) {
    const entity = list[i];
    if (entity.offset < position) continue; // inside an earlier one: drawn by its recursion
    if (entity.offset > position) parent.append(document.createTextNode(text.slice(position, entity.offset)));
    const stop = entity.offset + entity.length;
    const node = entityElement(pane, entity, text.slice(entity.offset, stop));
    const inner = list.slice(i + 1).filter((e) => e.offset >= entity.offset && e.offset + e.length <= stop);
    renderEntities(pane, text, inner, entity.offset, stop, node);
    parent.append(node);
    position = stop;
  }
  if (position < end) parent.append(document.createTextNode(text.slice(position, end)));
}

function formatted(pane, text, entities) {
  const body = el("div", "body");
  renderEntities(pane, text, entities || [], 0, text.length, body);
  return body;
}

// --- messages ---------------------------------------------------------------------------

function nameOf(user) {
  if (!user) return "";
  if (user.is_bot) return user.first_name + " (bot)";
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

function snippet(message) {
  if (message.text || message.caption) return message.text || message.caption;
  if (message.photo) return "🖼 Photo";
  if (message.document) return "📄 " + (message.document.file_name || "Document");
  return "…";
}

function serviceText(message) {
  if (message.new_chat_members) return nameOf(message.from) + " added " + message.new_chat_members.map(nameOf).join(", ");
  if (message.left_chat_member) return nameOf(message.left_chat_member) + " left the group";
  if (message.users_shared) return "👤 Shared: " + message.users_shared.users.map((u) => u.first_name || u.user_id).join(", ");
  return null;
}

function messageElement(pane, chatId, message) {
  const item = el("li", "msg");
  item.dataset.messageId = message.message_id;
  const service = serviceText(message);
  if (service !== null) {
    item.classList.add("service");
    item.textContent = service;
    return item;
  }
  const from = message.from || {};
  const own = from.id === pane.actor();
  item.classList.add(own ? "own" : from.is_bot ? "bot" : "other");
  if (chatId < 0 && !own) item.append(el("div", "from", nameOf(from)));
  if (message.reply_to_message) {
    const quote = el("div", "quote");
    quote.append(el("div", "from", nameOf(message.reply_to_message.from)), el("div", null, snippet(message.reply_to_message)));
    item.append(quote);
  }
  if (message.photo) {
    const image = el("img");
    image.alt = "photo";
    image.src = "/file/" + encodeURIComponent(message.photo[message.photo.length - 1].file_id);
    item.append(image);
  }
  if (message.document) {
    const url = "/file/" + encodeURIComponent(message.document.file_id);
    const name = message.document.file_name || "document";
    if (/\.(png|jpe?g)$/i.test(name)) {
      const image = el("img");
      image.alt = name;
      image.src = url;
      item.append(image);
    }
    const link = el("a", "file", "📄 " + name);
    link.href = url;
    link.download = name;
    link.dataset.testid = "file";
    item.append(link);
  }
  if (message.location) item.append(el("div", "body", "📍 " + message.location.latitude + ", " + message.location.longitude));
  if (message.contact) item.append(el("div", "body", "👤 " + message.contact.first_name + " " + message.contact.phone_number));
  const text = message.text !== undefined ? message.text : message.caption;
  if (text) item.append(formatted(pane, text, message.text !== undefined ? message.entities : message.caption_entities));
  const reactions = chatOf(chatId).reactions.get(message.message_id);
  if (reactions && reactions.length) item.append(el("div", "reactions", reactions.join(" ")));
  const rows = (message.reply_markup || {}).inline_keyboard;
  if (rows) item.append(inlineKeyboard(pane, chatId, message, rows));
  const meta = el("div", "meta");
  if (chatOf(chatId).pinned.includes(message.message_id)) meta.append("📌 ");
  if (message.edit_date) meta.append("edited ");
  meta.append(formatTime(message.date));
  const reply = el("button", "reply", "↩ Reply");
  reply.type = "button";
  reply.addEventListener("click", () => pane.replyTo(message));
  meta.append(reply);
  item.append(meta);
  return item;
}

function inlineKeyboard(pane, chatId, message, rows) {
  const keyboard = el("div", "inline-keyboard");
  for (const row of rows) {
    const line = el("div", "krow");
    for (const button of row) {
      const press = el("button", null, button.text);
      press.type = "button";
      press.dataset.testid = "inline-button";
      press.addEventListener("click", () => {
        if (button.callback_data !== undefined) {
          call("/api/press", { user: pane.actor(), chat: chatId, message_id: message.message_id, data: button.callback_data });
        } else if (button.url) {
          if (!pane.openLink(button.url)) window.open(button.url, "_blank", "noopener,noreferrer");
        }
      });
      line.append(press);
    }
    keyboard.append(line);
  }
  return keyboard;
}

// --- panes ------------------------------------------------------------------------------

class Pane {
  constructor(role) {
    this.role = role;
    this.isGroup = role === "group";
    this.replying = null;
    this.root = document.getElementById("pane").content.firstElementChild.cloneNode(true);
    this.root.dataset.pane = role;
    this.root.querySelector(".role").textContent = role;
    this.chatSelect = this.root.querySelector(".chat-select");
    this.actorSelect = this.root.querySelector(".actor-select");
    this.actorSelect.hidden = !this.isGroup;
    this.list = this.root.querySelector(".messages");
    this.chatSelect.addEventListener("change", () => this.render());
    this.actorSelect.addEventListener("change", () => this.render());
    const form = this.root.querySelector(".composer");
    form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
    this.root.querySelector(".cancel-reply").addEventListener("click", () => this.replyTo(null));
    this.root.querySelector(".file").addEventListener("change", () => this.submit());
    document.getElementById("panes").append(this.root);
  }

  chat() { return Number(this.chatSelect.value); }
  actor() { return this.isGroup ? Number(this.actorSelect.value) : this.chat(); }

  options() {
    const fill = (select, entries, keep) => {
      const current = select.value || keep;
      select.replaceChildren(...entries.map(([id, label]) => { const o = el("option", null, label); o.value = id; return o; }));
      if (entries.some(([id]) => String(id) === String(current))) select.value = current;
    };
    const people = [...store.people.values()].map((p) => [p.id, p.name + " · " + p.role + " · " + p.language]);
    if (this.isGroup) {
      fill(this.chatSelect, [...store.groups.values()].map((g) => [g.id, g.title]), this.defaultChat);
      fill(this.actorSelect, people, this.defaultActor);
    } else {
      fill(this.chatSelect, people, this.defaultChat);
    }
  }

  show(chatId) {
    this.chatSelect.value = String(chatId);
    this.render();
  }

  render() {
    const chat = chatOf(this.chat());
    this.list.replaceChildren(...[...chat.messages.values()].sort((a, b) => a.message_id - b.message_id)
      .map((message) => messageElement(this, this.chat(), message)));
    this.renderPinned();
    this.renderKeyboard();
    this.replyTo(null);
    this.list.scrollTop = this.list.scrollHeight;
  }

  upsert(message) {
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    const fresh = messageElement(this, this.chat(), message);
    const old = this.list.querySelector('[data-message-id="' + message.message_id + '"]');
    if (old) old.replaceWith(fresh);
    else {
      const later = [...this.list.children].find((item) => Number(item.dataset.messageId) > message.message_id);
      this.list.insertBefore(fresh, later || null);
    }
    if (atBottom || message.from?.id === this.actor()) this.list.scrollTop = this.list.scrollHeight;
  }

  remove(messageId) {
    this.list.querySelector('[data-message-id="' + messageId + '"]')?.remove();
  }

  renderPinned() {
    const chat = chatOf(this.chat());
    const bar = this.root.querySelector(".pinned");
    const last = chat.pinned.length ? chat.messages.get(chat.pinned[chat.pinned.length - 1]) : null;
    bar.hidden = !last;
    bar.textContent = last ? "📌 " + snippet(last) : "";
  }

  renderKeyboard() {
    const area = this.root.querySelector(".reply-keyboard");
    const markup = chatOf(this.chat()).keyboard;
    area.replaceChildren();
    if (!markup) return;
    for (const row of markup.keyboard) {
      const line = el("div", "krow");
      for (const button of row) {
        const label = typeof button === "string" ? button : button.text;
        const press = el("button", null, label);
        press.type = "button";
        press.dataset.testid = "reply-button";
        press.addEventListener("click", () => this.replyKey(button, markup));
        line.append(press);
      }
      area.append(line);
    }
  }

  replyKey(button, markup) {
    if (button.request_contact) call("/api/share", { user: this.actor(), kind: "contact" });
    else if (button.request_location) call("/api/share", { user: this.actor(), kind: "location" });
    else if (button.request_users) return this.pickUser(button.request_users.request_id);
    else this.sendText(typeof button === "string" ? button : button.text);
    if (markup.one_time_keyboard) { chatOf(this.chat()).keyboard = null; this.renderKeyboard(); }
  }

  pickUser(requestId) {
    const area = this.root.querySelector(".reply-keyboard");
    area.replaceChildren(el("div", null, "Pick a person to share:"));
    for (const person of store.people.values()) {
      const press = el("button", null, person.name);
      press.type = "button";
      press.addEventListener("click", () => {
        call("/api/share", { user: this.actor(), kind: "users", request_id: requestId, shared: person.id });
        this.renderKeyboard();
      });
      area.append(press);
    }
  }

  replyTo(message) {
    this.replying = message ? message.message_id : null;
    const bar = this.root.querySelector(".replying");
    bar.hidden = !message;
    bar.querySelector("span").textContent = message ? "↩ " + nameOf(message.from) + ": " + snippet(message).slice(0, 80) : "";
    if (message) this.root.querySelector(".text").focus();
  }

  // A t.me link to this bot with ?start=… opens the private chat and sends /start with it, as Telegram's app does.
  openLink(url) {
    const match = /^https?:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]*)$/.exec(url);
    if (!match || match[1] !== store.state.bot.username) return false;
    const user = this.actor();
    call("/api/start", { user, payload: match[2] });
    if (this.isGroup) panes.find((pane) => pane.role === "resident").show(user);
    return true;
  }

  sendText(text) {
    const form = new FormData();
    form.set("user", this.actor());
    form.set("chat", this.chat());
    form.set("text", text);
    return call("/api/send", form, true);
  }

  async submit() {
    const input = this.root.querySelector(".text");
    const file = this.root.querySelector(".file");
    if (!input.value.trim() && !file.files.length) return;
    const form = new FormData();
    form.set("user", this.actor());
    form.set("chat", this.chat());
    form.set("text", input.value);
    if (this.replying) form.set("reply_to", this.replying);
    if (file.files.length) form.set("file", file.files[0]);
    input.value = "";
    file.value = "";
    this.replyTo(null);
    await call("/api/send", form, true);
  }

  toast(text, alert) {
    if (alert) return showAlert(text);
    const box = this.root.querySelector(".toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { box.hidden = true; }, 3500);
  }
}

// --- the live feed ----------------------------------------------------------------------

function showing(chatId) {
  return panes.filter((pane) => pane.chat() === chatId);
}

function apply(event) {
  store.lastId = event.id;
  switch (event.type) {
    case "message": {
      chatOf(event.chat).messages.set(event.message.message_id, event.message);
      if (event.chat < 0 && !store.groups.has(event.chat)) {
        store.groups.set(event.chat, { id: event.chat, title: event.message.chat.title });
        panes.forEach((pane) => pane.options());
      }
      showing(event.chat).forEach((pane) => pane.upsert(event.message));
      break;
    }
    case "delete":
      chatOf(event.chat).messages.delete(event.message_id);
      showing(event.chat).forEach((pane) => pane.remove(event.message_id));
      break;
    case "pins":
      chatOf(event.chat).pinned = event.pinned;
      showing(event.chat).forEach((pane) => pane.render());
      break;
    case "keyboard":
      chatOf(event.chat).keyboard = event.markup;
      showing(event.chat).forEach((pane) => pane.renderKeyboard());
      break;
    case "reaction": {
      const chat = chatOf(event.chat);
      chat.reactions.set(event.message_id, event.emoji);
      const message = chat.messages.get(event.message_id);
      if (message) showing(event.chat).forEach((pane) => pane.upsert(message));
      break;
    }
    case "toast":
      showing(event.chat).filter((pane) => pane.actor() === event.user).forEach((pane) => pane.toast(event.text, event.alert));
      break;
    case "person":
      store.people.set(event.person.id, event.person);
      panes.forEach((pane) => pane.options());
      break;
    case "group":
      store.groups.set(event.group.id, event.group);
      panes.forEach((pane) => pane.options());
      break;
    case "clock":
      showClock(event.now);
      break;
    case "violation": {
      const banner = document.getElementById("violations");
      banner.hidden = false;
      banner.append(el("div", null, "Bot API violation in " + event.method + ": " + event.description));
      logCall(event.method, false, event.description);
      break;
    }
    case "call":
      logCall(event.method + (event.chat !== null ? " → " + event.chat : ""), event.ok, event.description);
      break;
  }
}

function logCall(what, ok, description) {
  const list = document.getElementById("calls");
  const item = el("li", ok ? "" : "bad", what + (ok ? "" : " ✗ " + description));
  list.append(item);
  while (list.children.length > 300) list.firstElementChild.remove();
}

function connect() {
  // EventSource reconnects by itself and sends Last-Event-ID; the server goes on from there. Should the browser give
  // up (an answer that is no stream), a new one starts after the last event this page applied.
  const source = new EventSource("/api/events?after=" + store.lastId);
  const live = document.querySelector("[data-testid=live]");
  source.onopen = () => { live.textContent = "● live"; live.classList.add("on"); };
  source.onerror = () => {
    live.textContent = "reconnecting…";
    live.classList.remove("on");
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
  source.onmessage = (message) => apply(JSON.parse(message.data));
}

async function start() {
  store.state = await (await fetch("/api/state")).json();
  showClock(store.state.now);
  for (const person of store.state.people) store.people.set(person.id, person);
  for (const group of store.state.groups) store.groups.set(group.id, group);
  const residents = store.state.people.filter((p) => p.role === "resident");
  const defaults = {
    resident: residents.length ? residents[0].id : null,
    inspector: store.state.inspector,
    admin: store.state.admin,
    group: store.state.groups.length ? store.state.groups[0].id : null,
  };
  for (const role of ["resident", "inspector", "admin", "group"]) {
    const pane = new Pane(role);
    pane.defaultChat = defaults[role];
    pane.defaultActor = residents.length ? residents[0].id : store.state.inspector;
    pane.options();
    panes.push(pane);
    pane.render();
  }
  const languages = document.querySelector("#add-person select");
  for (const language of store.state.languages) {
    const option = el("option", null, language);
    option.value = language;
    languages.append(option);
  }
  document.querySelectorAll("[data-clock]").forEach((button) =>
    button.addEventListener("click", () => call("/api/clock", { to: button.dataset.clock })));
  document.getElementById("add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const field = (name) => form.elements.namedItem(name).value;
    await call("/api/people", { name: field("name"), language: field("language") });
    form.reset();
  });
  document.getElementById("add-group").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    await call("/api/groups", { title: form.elements.namedItem("title").value, by: store.state.inspector });
    form.reset();
  });
  document.querySelector("#alert button").addEventListener("click", () => { document.getElementById("alert").hidden = true; });
  connect();
}

document.addEventListener("DOMContentLoaded", start);
