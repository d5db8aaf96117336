/* The sandbox page: a Slack-like client for the local workspace.
 *
 * It polls GET /sandbox/api/state for what the chosen person sees and sends what they do
 * to POST /sandbox/api/<verb>; the server turns that into the signed requests Slack would
 * send. Every node is built with textContent / BlockKit.render: no data ever becomes HTML.
 */
(function () {
  "use strict";

  const POLL_MS = 1000;
  const BOT_ID = "U0FAKEBOT1";
  const ui = {
    user: localStorage.getItem("upward.sandbox.user") || "",
    place: null, // {kind: "home"|"conversation", id}
    thread: null, // parent ts of the open thread
    lastText: "",
    state: null,
    modalKey: "",
    modalErrors: {},
    busy: false,
  };
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // -- talking to the sandbox

  async function api(verb, body) {
    const response = await fetch("/sandbox/api/" + verb, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ user: ui.user }, body || {})),
    });
    let answer = {};
    try { answer = await response.json(); } catch (e) { answer = {}; }
    if (!response.ok) {
      throw new Error(answer.error || "The sandbox did not answer (HTTP " + response.status + ").");
    }
    return answer;
  }

  async function act(verb, body) {
    try {
      const answer = await api(verb, body);
      // A click that changed nothing (ticking a box in a message) keeps the page as it
      // is, as Slack does: a forced redraw would untick the box before its button is used.
      await refresh(verb !== "action");
      return answer;
    } catch (error) {
      toast(error.message, true);
      return null;
    }
  }

  async function refresh(force) {
    let text;
    try {
      const response = await fetch("/sandbox/api/state?user=" + encodeURIComponent(ui.user));
      text = await response.text();
      if (!response.ok) throw new Error(JSON.parse(text).error || "HTTP " + response.status);
    } catch (error) {
      $("clock").textContent = "sandbox not answering";
      return;
    }
    const state = JSON.parse(text);
    // The clock ticks every poll; everything else is redrawn only when it changed, so a
    // menu half-chosen or a conversation scrolled up stays as it is.
    const key = JSON.stringify(Object.assign({}, state, { now: null, moving: !!state.moving }));
    ui.state = state;
    if (!state.people.some((p) => p.id === ui.user)) {
      ui.user = state.me; // remembered from an older sandbox: start as the lead
      localStorage.setItem("upward.sandbox.user", ui.user);
    }
    renderClock();
    if (!force && key === ui.lastText) return;
    ui.lastText = key;
    render();
  }

  function toast(message, isError) {
    const box = $("toast");
    box.textContent = message;
    box.className = "toast" + (isError ? " error" : "");
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, isError ? 7000 : 3500);
  }

  // -- who is who

  function person(id) {
    return (ui.state.people || []).find((p) => p.id === id);
  }

  function context(surface, extra) {
    const users = {};
    users[BOT_ID] = { name: "Upward" };
    for (const p of ui.state.people) users[p.id] = { name: p.name };
    const channels = {};
    for (const [id, name] of Object.entries(ui.state.channels || {})) channels[id] = { name: name };
    for (const c of conversations()) if (c.kind === "mpim") channels[c.id] = { name: c.name };
    return Object.assign({ surface: surface, users: users, channels: channels }, extra || {});
  }

  function avatar(userId, small) {
    const p = person(userId);
    const node = el("span", "avatar" + (small ? " small" : ""));
    if (!p) {
      node.classList.add("app");
      node.textContent = "U";
      return node;
    }
    node.textContent = p.initials;
    node.style.background = p.color;
    return node;
  }

  function localTime(iso, withDate) {
    const me = person(ui.user);
    const options = { hour: "2-digit", minute: "2-digit", timeZone: me ? me.tz : "UTC" };
    if (withDate) Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
    return new Intl.DateTimeFormat("en-GB", options).format(new Date(iso));
  }

  function dayOf(iso) {
    const me = person(ui.user);
    return new Intl.DateTimeFormat("en-GB", {
      weekday: "long", day: "numeric", month: "long", timeZone: me ? me.tz : "UTC",
    }).format(new Date(iso));
  }

  // -- rendering

  function renderClock() {
    const s = ui.state;
    const me = person(ui.user);
    $("clock").textContent = localTime(s.now, true) + (me ? " (" + me.tz + ")" : "");
    const moving = $("clock-moving");
    moving.hidden = !s.moving;
    if (s.moving) moving.textContent = "moving to " + localTime(s.moving.target, true) + "…";
    for (const button of document.querySelectorAll("[data-move]")) button.disabled = !!s.moving;
  }

  function render() {
    $("team").textContent = ui.state.team;
    renderPicker();
    renderSidebar();
    renderMain();
    renderThread();
    renderModal();
  }

  function renderPicker() {
    const select = $("person");
    if (select.options.length !== ui.state.people.length) {
      select.replaceChildren();
      for (const p of ui.state.people) {
        const label = p.name + " — " + p.title + (p.is_lead ? " (lead)" : "");
        const option = el("option", null, label);
        option.value = p.id;
        select.append(option);
      }
    }
    select.value = ui.user;
    const me = person(ui.user);
    const box = $("me");
    box.replaceChildren();
    if (me) {
      const text = el("div");
      text.append(el("div", "me-name", me.name), el("div", "me-title", me.department + " · " + me.tz));
      box.append(avatar(me.id), text);
    }
  }

  function conversations() {
    return ui.state.conversations || [];
  }

  function currentPlace() {
    if (!ui.place) ui.place = { kind: "conversation", id: conversations()[0] && conversations()[0].id };
    return ui.place;
  }

  function sideButton(label, icon, active, onClick, count) {
    const li = el("li");
    const button = el("button", active ? "active" : "");
    button.type = "button";
    if (icon) button.append(icon);
    button.append(el("span", null, label));
    if (count) button.append(el("span", "count", String(count)));
    button.addEventListener("click", onClick);
    li.append(button);
    return li;
  }

  function renderSidebar() {
    const place = currentPlace();
    const apps = $("apps");
    const channels = $("channels");
    const dms = $("dms");
    apps.replaceChildren();
    channels.replaceChildren();
    dms.replaceChildren();
    for (const c of conversations()) {
      const active = place.id === c.id || (place.kind === "home" && c.kind === "im");
      const go = () => {
        ui.place = { kind: "conversation", id: c.id };
        ui.thread = null;
        render();
      };
      if (c.kind === "im") {
        const icon = avatar(BOT_ID, true);
        apps.append(sideButton("Upward", icon, active, go));
      } else if (c.kind === "channel") {
        channels.append(sideButton("# " + c.name, null, active, go));
      } else {
        const icon = el("span", "avatar small app", String(c.members.length));
        dms.append(sideButton(c.name, icon, active, go));
      }
    }
    if (!dms.children.length) dms.append(el("li", "side-empty", ""));
  }

  function renderMain() {
    const place = currentPlace();
    const header = $("main-header");
    const tabs = $("tabs");
    const pane = $("pane");
    ui.scroll = pane.scrollTop;
    header.replaceChildren();
    pane.replaceChildren();
    const conversation = conversations().find((c) => c.id === place.id);
    const isApp = place.kind === "home" || (conversation && conversation.kind === "im");
    tabs.hidden = !isApp;
    for (const tab of tabs.querySelectorAll(".tab")) {
      tab.classList.toggle("active", (tab.dataset.tab === "home") === (place.kind === "home"));
    }
    $("composer").hidden = place.kind === "home";
    if (place.kind === "home") {
      header.append(avatar(BOT_ID), el("span", null, "Upward"), el("span", "sub", "App Home"));
      renderHome(pane);
      return;
    }
    if (!conversation) return;
    if (conversation.kind === "im") {
      header.append(avatar(BOT_ID), el("span", null, "Upward"), el("span", "badge", "APP"));
    } else if (conversation.kind === "channel") {
      header.append(el("span", null, "# " + conversation.name));
    } else {
      const names = conversation.members.map((m) => (person(m) || { name: m }).name);
      header.append(el("span", null, names.join(", ")), el("span", "sub", "group DM with Upward"));
    }
    $("composer-text").placeholder =
      conversation.kind === "im" ? "Message Upward, or type /mentor help" : "Message " +
      (conversation.kind === "channel" ? "#" + conversation.name : "the group") + ", or type /mentor";
    renderMessages(pane, conversation);
  }

  function renderHome(pane) {
    const home = ui.state.home;
    if (!home) {
      pane.append(el("div", "empty", "Opening Upward's Home tab…"));
      return;
    }
    const box = el("div", "home");
    box.append(BlockKit.render(home.blocks || [], context("home", {
      onAction: (action) => act("action", {
        where: { kind: "home", key: home.id },
        action: action,
        state: BlockKit.state(box),
      }),
    })));
    pane.append(box);
  }

  function renderMessages(pane, conversation) {
    const items = conversation.messages.map((m) => ({ ts: m.ts, message: m }))
      .concat(conversation.ephemeral.map((e) => ({ ts: e.ts, ephemeral: e })));
    items.sort((a, b) => Number(a.ts) - Number(b.ts));
    if (!items.length) {
      const empty = el("div", "empty");
      if (conversation.kind === "im") {
        empty.append(el("strong", null, "This is your DM with Upward."), el("br"));
        empty.append(document.createTextNode(
          "Type /mentor join below to take part, or press “Start a demo program” above " +
          "to fill the workspace and watch a program unfold."));
      } else {
        empty.textContent = "No messages yet.";
      }
      pane.append(empty);
      return;
    }
    let day = "";
    for (const item of items) {
      const at = item.message ? item.message.at : new Date(Number(item.ts) * 1000).toISOString();
      if (dayOf(at) !== day) {
        day = dayOf(at);
        pane.append(el("div", "day-divider", day));
      }
      pane.append(item.message
        ? messageNode(item.message, conversation, true)
        : ephemeralNode(item.ephemeral, conversation));
    }
    const seen = conversation.id + "/" + items.length;
    if (seen !== ui.seen) pane.scrollTop = pane.scrollHeight; // something new: show it
    else pane.scrollTop = ui.scroll || 0;
    ui.seen = seen;
  }

  function messageNode(message, conversation, withReplies) {
    const row = el("div", "message");
    row.dataset.ts = message.ts;
    const who = message.is_app ? BOT_ID : message.user;
    row.append(avatar(who));
    const body = el("div", "message-body");
    const meta = el("div", "message-meta");
    meta.append(el("span", "message-name", message.is_app ? "Upward" : (person(who) || { name: who }).name));
    if (message.is_app) meta.append(el("span", "badge", "APP"));
    meta.append(el("span", "message-time", localTime(message.at, false)));
    if (message.edited) meta.append(el("span", "message-time", "(edited)"));
    body.append(meta);
    body.append(content(message, "message", {
      onAction: (action) => act("action", {
        where: { kind: "message", channel: conversation.id, key: message.ts },
        action: action,
        state: BlockKit.state(row),
      }),
    }));
    for (const file of message.files || []) body.append(fileNode(file));
    if (withReplies) {
      const count = (message.replies || []).length;
      const link = el("button", "replies-link", count ? count + (count === 1 ? " reply" : " replies") : "Reply in thread");
      link.type = "button";
      link.addEventListener("click", () => { ui.thread = message.ts; render(); });
      body.append(link);
    }
    row.append(body);
    return row;
  }

  function ephemeralNode(shown, conversation) {
    const row = el("div", "message ephemeral");
    row.dataset.ephemeral = shown.id;
    row.append(avatar(BOT_ID));
    const body = el("div", "message-body");
    body.append(el("div", "only-you", "Only visible to you"));
    const meta = el("div", "message-meta");
    meta.append(el("span", "message-name", "Upward"), el("span", "badge", "APP"));
    body.append(meta);
    body.append(content(shown, "message", {
      onAction: (action) => act("action", {
        where: { kind: "ephemeral", channel: conversation.id, key: shown.id },
        action: action,
        state: BlockKit.state(row),
      }),
    }));
    row.append(body);
    return row;
  }

  function content(message, surface, extra) {
    if (message.blocks && message.blocks.length) {
      return BlockKit.render(message.blocks, context(surface, extra));
    }
    const box = el("div", "bk-blocks");
    box.append(BlockKit.mrkdwn(message.text || "", context(surface)));
    return box;
  }

  function fileNode(file) {
    const box = el("div", "file");
    if (file.is_image) {
      const img = el("img");
      // Loaded after the pane scrolled to the end: keep the end in view.
      img.addEventListener("load", () => { const pane = $("pane"); pane.scrollTop = pane.scrollHeight; });
      img.src = file.url;
      img.alt = file.title;
      box.append(img);
    } else {
      const link = el("a", "download", "⬇ " + file.title);
      link.href = file.url;
      link.download = file.name;
      box.append(link);
    }
    return box;
  }

  function renderThread() {
    const aside = $("thread");
    const conversation = conversations().find((c) => c.id === (ui.place && ui.place.id));
    const parent = ui.thread && conversation && conversation.messages.find((m) => m.ts === ui.thread);
    aside.hidden = !parent || ui.place.kind === "home";
    if (aside.hidden) return;
    const body = $("thread-body");
    body.replaceChildren(messageNode(parent, conversation, false));
    const count = parent.replies.length;
    body.append(el("div", "thread-divider", count + (count === 1 ? " reply" : " replies")));
    for (const reply of parent.replies) body.append(messageNode(reply, conversation, false));
  }

  function renderModal() {
    const modal = ui.state.modal;
    const box = $("modal");
    if (!modal) {
      box.hidden = true;
      ui.modalKey = "";
      return;
    }
    const key = modal.id + "/" + modal.hash + "/" + JSON.stringify(ui.modalErrors);
    box.hidden = false;
    if (key === ui.modalKey) return; // keep what the person has typed
    ui.modalKey = key;
    $("modal-title").textContent = (modal.title && modal.title.text) || "";
    $("modal-back").hidden = ui.state.modal_depth < 2;
    $("modal-submit").hidden = !modal.submit;
    $("modal-submit").textContent = modal.submit ? modal.submit.text : "";
    $("modal-close").textContent = modal.close ? modal.close.text : "Close";
    const body = $("modal-body");
    const blocks = ui.modalValues ? withValues(modal.blocks || [], ui.modalValues) : modal.blocks || [];
    ui.modalValues = null;
    body.replaceChildren(BlockKit.render(blocks, context("modal", {
      errors: ui.modalErrors,
      onAction: (action) => act("action", {
        where: { kind: "modal", key: modal.id },
        action: action,
        state: BlockKit.state(body),
      }),
    })));
  }

  // Field errors re-render the modal: what the person typed stays, as in Slack.
  function withValues(blocks, values) {
    return blocks.map((block) => {
      const byAction = values[block.block_id];
      if (block.type !== "input" || !byAction || !block.element) return block;
      const value = byAction[block.element.action_id];
      if (!value) return block;
      const element = Object.assign({}, block.element);
      const keys = {
        value: "initial_value", selected_option: "initial_option",
        selected_options: "initial_options", selected_date: "initial_date",
        selected_time: "initial_time", selected_channel: "initial_channel",
        selected_user: "initial_user", selected_conversation: "initial_conversation",
      };
      for (const [from, to] of Object.entries(keys)) {
        if (!(from in value)) continue;
        const empty = value[from] === null || (Array.isArray(value[from]) && !value[from].length);
        if (empty) delete element[to]; else element[to] = value[from];
      }
      return Object.assign({}, block, { element: element });
    });
  }

  // -- what the person does

  async function submitModal() {
    const modal = ui.state.modal;
    if (!modal) return;
    const button = $("modal-submit");
    button.disabled = true;
    try {
      const values = BlockKit.state($("modal-body"));
      const answer = await api("submit", { view_id: modal.id, values: values });
      ui.modalErrors = answer.errors || {};
      if (Object.keys(ui.modalErrors).length) ui.modalValues = values;
      ui.modalKey = "";
      await refresh(true);
    } catch (error) {
      toast(error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  async function closeModal() {
    const modal = ui.state.modal;
    ui.modalErrors = {};
    if (modal) await act("close", { view_id: modal.id });
  }

  async function send(textarea, threadTs) {
    const text = textarea.value;
    if (!text.trim()) return;
    const place = currentPlace();
    const body = { channel: place.id, text: text };
    let answer;
    if (text.trim().startsWith("/") && !threadTs) {
      answer = await act("command", body);
    } else {
      if (threadTs) body.thread_ts = threadTs;
      answer = await act("say", body);
    }
    if (answer) textarea.value = "";
  }

  function composer(form, textarea, thread) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(textarea, thread ? ui.thread : null);
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send(textarea, thread ? ui.thread : null);
      }
    });
  }

  async function openHome() {
    ui.place = { kind: "home" };
    render();
    await act("home", {});
  }

  async function moveClock(to, button) {
    button.disabled = true;
    const answer = await act("clock", { to: to });
    if (answer) toast("Moving the clock to " + localTime(answer.target, true) + "…");
  }

  async function startDemo(button) {
    button.disabled = true;
    toast("Setting up the demo: eleven people join through the real modal…");
    const answer = await act("demo", {});
    button.disabled = false;
    if (answer) {
      ui.user = answer.me;
      localStorage.setItem("upward.sandbox.user", ui.user);
      ui.place = null;
      await refresh(true);
      toast("Done. You are the program lead now: confirm the matches in your DM with Upward.");
    }
  }

  async function reset(button) {
    if (!window.confirm("Empty the sandbox (sandbox.db, its conversations and its clock) and start again?")) return;
    button.disabled = true;
    const answer = await act("reset", {});
    button.disabled = false;
    if (!answer) return; // the error toast says why
    ui.place = null;
    ui.thread = null;
    await refresh(true);
    toast("The sandbox is empty again.");
  }

  function wire() {
    $("person").addEventListener("change", (event) => {
      ui.user = event.target.value;
      localStorage.setItem("upward.sandbox.user", ui.user);
      ui.place = null;
      ui.thread = null;
      ui.modalErrors = {};
      refresh(true);
    });
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => {
        if (tab.dataset.tab === "home") {
          openHome();
        } else {
          const dm = conversations().find((c) => c.kind === "im");
          ui.place = { kind: "conversation", id: dm && dm.id };
          render();
        }
      });
    }
    for (const button of document.querySelectorAll("[data-move]")) {
      button.addEventListener("click", () => moveClock(button.dataset.move, button));
    }
    $("demo").addEventListener("click", (event) => startDemo(event.target));
    $("reset").addEventListener("click", (event) => reset(event.target));
    $("modal-submit").addEventListener("click", submitModal);
    $("modal-close").addEventListener("click", closeModal);
    $("modal-x").addEventListener("click", closeModal);
    $("modal-back").addEventListener("click", closeModal); // back: the view under this one
    $("thread-close").addEventListener("click", () => { ui.thread = null; render(); });
    composer($("composer"), $("composer-text"), false);
    composer($("thread-composer"), $("thread-text"), true);
  }

  wire();
  refresh(true);
  setInterval(() => refresh(false), POLL_MS);
})();
