/*
 * blockkit.js: a dependency-free renderer of Slack Block Kit for the Upward sandbox page.
 *
 * window.BlockKit = { render, state, mrkdwn, text }.
 *   render(blocks, ctx) -> <div class="bk-blocks">      (ctx: surface, users, channels, onAction, errors)
 *   state(root)         -> view.state.values for the stateful elements under root
 *   mrkdwn(text, ctx)   -> DocumentFragment of Slack's mrkdwn dialect
 *   text(obj, ctx)      -> Node for a plain_text / mrkdwn text object
 *
 * SECURITY RULE: every string here comes from app data. Nodes are built only with
 * createElement / textContent / setAttribute; never innerHTML, outerHTML, insertAdjacentHTML or
 * document.write. Links are allowed only for http:, https: and mailto:; image sources only for
 * http(s) and data:image/. Anything else is shown as text.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- small DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function append(parent, children) {
    children.forEach(function (child) { if (child) parent.appendChild(child); });
    return parent;
  }

  var uid = 0;
  function nextId(prefix) { uid += 1; return "bk-" + prefix + "-" + uid; }

  function safeUrl(raw) {
    var s = String(raw || "").trim();
    try {
      var url = new URL(s);
      if (["http:", "https:", "mailto:"].indexOf(url.protocol) >= 0) return url.href;
    } catch (e) { /* not an absolute URL */ }
    return null;
  }

  function safeImageSrc(raw) {
    var s = String(raw || "").trim();
    if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(s)) return s;
    try {
      var url = new URL(s);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (e) { /* not an absolute URL */ }
    return null;
  }

  function link(href, label) {
    var a = el("a", "bk-link", label);
    a.setAttribute("href", href);
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
    return a;
  }

  function image(src, alt, className) {
    var safe = safeImageSrc(src);
    if (!safe) return el("span", "bk-image-missing", "[image: " + (alt || "unavailable") + "]");
    var img = el("img", className);
    img.setAttribute("src", safe);
    img.setAttribute("alt", alt || "");
    img.setAttribute("title", alt || "");
    return img;
  }

  function copy(obj) { return obj === undefined ? undefined : JSON.parse(JSON.stringify(obj)); }

  function actionTs() { return (Date.now() / 1000).toFixed(6); }

  // ---------------------------------------------------------------- emoji and entities

  // Escaped so this file stays ASCII whatever charset the page serves it with.
  var EMOJI = {
    wave: "\u{1F44B}", tada: "\u{1F389}", calendar: "\u{1F4C6}", white_check_mark: "\u{2705}",
    sparkles: "\u{2728}", handshake: "\u{1F91D}", bulb: "\u{1F4A1}",
    chart_with_upwards_trend: "\u{1F4C8}", star: "\u{2B50}", seedling: "\u{1F331}",
    rocket: "\u{1F680}", thumbsup: "\u{1F44D}", "+1": "\u{1F44D}", thumbsdown: "\u{1F44E}",
    "-1": "\u{1F44E}", clock9: "\u{1F558}", speech_balloon: "\u{1F4AC}", raised_hands: "\u{1F64C}",
    books: "\u{1F4DA}", dart: "\u{1F3AF}", memo: "\u{1F4DD}", bar_chart: "\u{1F4CA}",
    warning: "\u{26A0}\u{FE0F}", x: "\u{274C}", heavy_check_mark: "\u{2714}\u{FE0F}",
    mag: "\u{1F50D}", hourglass: "\u{231B}", hourglass_flowing_sand: "\u{23F3}", bell: "\u{1F514}",
    pray: "\u{1F64F}", blush: "\u{1F60A}", smile: "\u{1F604}", slightly_smiling_face: "\u{1F642}",
    heart: "\u{2764}\u{FE0F}", fire: "\u{1F525}", eyes: "\u{1F440}", clap: "\u{1F44F}",
    muscle: "\u{1F4AA}", trophy: "\u{1F3C6}", point_right: "\u{1F449}",
    calendar_spiral: "\u{1F5D3}\u{FE0F}", spiral_calendar_pad: "\u{1F5D3}\u{FE0F}",
    email: "\u{1F4E7}", coffee: "\u{2615}", information_source: "\u{2139}\u{FE0F}",
    question: "\u{2753}", no_entry: "\u{26D4}", lock: "\u{1F512}", busts_in_silhouette: "\u{1F465}",
    bust_in_silhouette: "\u{1F464}",
    people_holding_hands: "\u{1F9D1}\u{200D}\u{1F91D}\u{200D}\u{1F9D1}", pencil: "\u{1F4DD}",
    pencil2: "\u{270F}\u{FE0F}", gear: "\u{2699}\u{FE0F}", zap: "\u{26A1}",
    hugging_face: "\u{1F917}", party_popper: "\u{1F389}", clipboard: "\u{1F4CB}", link: "\u{1F517}",
    arrow_right: "\u{27A1}\u{FE0F}",
  };

  function emojify(s) {
    return s.replace(/:([a-z0-9_+-]+):/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : m;
    });
  }

  function decodeEntities(s) {
    var map = { amp: "&", lt: "<", gt: ">" };
    return s.replace(/&(amp|lt|gt);/g, function (m, name) { return map[name]; });
  }

  // ---------------------------------------------------------------- dates (<!date^...>)

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function ordinal(n) {
    var teen = n % 100 >= 11 && n % 100 <= 13;
    var suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" })[n % 10] || "th";
    return n + suffix;
  }

  function pad2(n) { return (n < 10 ? "0" : "") + n; }

  function relativeDay(d) {
    var today = new Date();
    today.setHours(0, 0, 0, 0);
    var day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    var diff = Math.round((day - today) / 86400000);
    return ({ "-1": "yesterday", 0: "today", 1: "tomorrow" })[diff] || null;
  }

  function dateParts(d) {
    var month = MONTHS[d.getMonth()];
    var hours = d.getHours() % 12 || 12;
    var ampm = d.getHours() < 12 ? "AM" : "PM";
    var parts = {
      date_num: d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()),
      date: month + " " + ordinal(d.getDate()) + ", " + d.getFullYear(),
      date_short: month.slice(0, 3) + " " + d.getDate() + ", " + d.getFullYear(),
      date_long: DAYS[d.getDay()] + ", " + month + " " + ordinal(d.getDate()) + ", " + d.getFullYear(),
      time: hours + ":" + pad2(d.getMinutes()) + " " + ampm,
      time_secs: hours + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds()) + " " + ampm,
    };
    var rel = relativeDay(d);
    parts.date_pretty = rel || parts.date;
    parts.date_short_pretty = rel || parts.date_short;
    parts.date_long_pretty = rel || parts.date_long;
    var sameYear = d.getFullYear() === new Date().getFullYear();
    parts.day_divider_pretty = rel ? rel.charAt(0).toUpperCase() + rel.slice(1)
      : DAYS[d.getDay()] + ", " + month + " " + ordinal(d.getDate()) + (sameYear ? "" : ", " + d.getFullYear());
    parts.ago = agoText(d);
    return parts;
  }

  function agoText(d) {
    var secs = Math.round((Date.now() - d.getTime()) / 1000);
    var future = secs < 0;
    var abs = Math.abs(secs);
    var units = [[86400, "day"], [3600, "hour"], [60, "minute"]];
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(abs / units[i][0]);
      if (n >= 1) {
        var phrase = n + " " + units[i][1] + (n === 1 ? "" : "s");
        return future ? "in " + phrase : phrase + " ago";
      }
    }
    return "just now";
  }

  function formatDate(epoch, format, fallback) {
    var d = new Date(Number(epoch) * 1000);
    if (!isFinite(d.getTime()) || !format) return fallback || "";
    var parts = dateParts(d);
    return String(format).replace(/\{(\w+)\}/g, function (m, token) {
      return Object.prototype.hasOwnProperty.call(parts, token) ? parts[token] : m;
    });
  }

  // ---------------------------------------------------------------- mentions

  function mentionChip(label, kind) {
    return el("span", "bk-mention bk-mention-" + kind, label);
  }

  function userName(id, ctx, label) {
    var user = ctx && ctx.users && ctx.users[id];
    return (user && user.name) || (label ? label.replace(/^@/, "") : "") || id;
  }

  function channelName(id, ctx, label) {
    var channel = ctx && ctx.channels && ctx.channels[id];
    return (channel && channel.name) || (label ? label.replace(/^#/, "") : "") || id;
  }

  // ---------------------------------------------------------------- mrkdwn

  var PLACEHOLDER_BASE = 0xE000; // private-use characters stand in for <...> tokens
  var PLACEHOLDER_RE = /[\uE000-\uF8FF]/g;

  /** One `<...>` token: a link, mention, special command or date. `inner` is still escaped. */
  function renderToken(inner, ctx) {
    var bar = inner.indexOf("|");
    var target = bar >= 0 ? inner.slice(0, bar) : inner;
    var label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : null;
    var head = target.charAt(0);
    if (head === "@") return mentionChip("@" + userName(target.slice(1), ctx, label), "user");
    if (head === "#") return mentionChip("#" + channelName(target.slice(1), ctx, label), "channel");
    if (head === "!") return renderSpecial(target.slice(1), label);
    var href = safeUrl(decodeEntities(target));
    if (!href) return document.createTextNode("<" + decodeEntities(inner) + ">");
    var shown = label || decodeEntities(target).replace(/^mailto:/i, "");
    return link(href, emojify(shown));
  }

  function renderSpecial(command, label) {
    var parts = command.split("^");
    var name = parts[0];
    if (name === "here" || name === "channel" || name === "everyone") {
      return mentionChip("@" + name, "broadcast");
    }
    if (name === "subteam") return mentionChip(label || "@" + (parts[1] || "team"), "usergroup");
    if (name === "date") {
      var span = el("span", "bk-date", formatDate(parts[1], decodeEntities(parts[2] || ""), label));
      if (label) span.setAttribute("title", label);
      return span;
    }
    return document.createTextNode(label || "<!" + decodeEntities(command) + ">");
  }

  /** Text with placeholders: decode entities and emoji in the text, swap tokens back in. */
  function emitText(parent, s, tokens, ctx) {
    var last = 0;
    s.replace(PLACEHOLDER_RE, function (ch, offset) {
      if (offset > last) parent.appendChild(document.createTextNode(emojify(decodeEntities(s.slice(last, offset)))));
      var token = tokens[ch.charCodeAt(0) - PLACEHOLDER_BASE];
      parent.appendChild(token === undefined ? document.createTextNode("") : renderToken(token, ctx));
      last = offset + 1;
      return ch;
    });
    if (last < s.length) parent.appendChild(document.createTextNode(emojify(decodeEntities(s.slice(last)))));
  }

  var INLINE_RULES = [
    { tag: "code", className: "bk-code", re: /`([^`\n]+)`/g, nested: false },
    { tag: "b", re: /(?<![A-Za-z0-9*])\*(?=\S)([^*\n]*?\S)\*(?![A-Za-z0-9*])/g, nested: true },
    { tag: "i", re: /(?<![A-Za-z0-9_])_(?=\S)([^_\n]*?\S)_(?![A-Za-z0-9_])/g, nested: true },
    { tag: "s", re: /(?<![A-Za-z0-9~])~(?=\S)([^~\n]*?\S)~(?![A-Za-z0-9~])/g, nested: true },
  ];

  /** Earliest formatting match in s[from, to) (regexes see the whole line for their lookbehind). */
  function nextInline(s, from, to) {
    var best = null;
    INLINE_RULES.forEach(function (rule) {
      rule.re.lastIndex = from;
      var m = rule.re.exec(s);
      if (m && m.index + m[0].length <= to && (!best || m.index < best.index)) {
        best = { index: m.index, end: m.index + m[0].length, inner: m[1], rule: rule,
          innerStart: m.index + 1 };
      }
    });
    return best;
  }

  function renderFormatted(parent, s, from, to, tokens, ctx) {
    var pos = from;
    while (pos < to) {
      var m = nextInline(s, pos, to);
      if (!m) break;
      emitText(parent, s.slice(pos, m.index), tokens, ctx);
      var node = el(m.rule.tag, m.rule.className);
      if (m.rule.nested) renderFormatted(node, s, m.innerStart, m.end - 1, tokens, ctx);
      else emitText(node, m.inner, tokens, ctx);
      parent.appendChild(node);
      pos = m.end;
    }
    emitText(parent, s.slice(pos, to), tokens, ctx);
  }

  /** One line (or pre block) of mrkdwn: tokenise <...> first, then format the rest. */
  function renderInline(parent, line, ctx, formatted) {
    var tokens = [];
    var s = line.replace(/<([^<>\n]+)>/g, function (m, inner) {
      if (tokens.length > 6000) return m;
      tokens.push(inner);
      return String.fromCharCode(PLACEHOLDER_BASE + tokens.length - 1);
    });
    if (formatted) renderFormatted(parent, s, 0, s.length, tokens, ctx);
    else emitText(parent, s, tokens, ctx);
  }

  function renderLines(parent, s, ctx) {
    var lines = s.split("\n");
    var quote = null;
    var quoteRest = false;
    lines.forEach(function (line, i) {
      var rest = /^(?:>>>|&gt;&gt;&gt;)\s?/.exec(line);
      if (rest) quoteRest = true;
      var q = rest || /^(?:>|&gt;)\s?/.exec(line);
      if (q || quoteRest) {
        if (!quote) quote = parent.appendChild(el("blockquote", "bk-quote"));
        else quote.appendChild(el("br"));
        renderInline(quote, q ? line.slice(q[0].length) : line, ctx, true);
        return;
      }
      quote = null;
      if (i > 0 && !(parent.lastChild && parent.lastChild.nodeName === "BLOCKQUOTE")) {
        parent.appendChild(el("br"));
      }
      renderInline(parent, line, ctx, true);
    });
  }

  function mrkdwn(text, ctx) {
    var frag = document.createDocumentFragment();
    var parts = String(text === undefined || text === null ? "" : text)
      .replace(PLACEHOLDER_RE, "").split("```");
    if (parts.length % 2 === 0) parts.splice(-2, 2, parts[parts.length - 2] + "```" + parts[parts.length - 1]);
    parts.forEach(function (part, i) {
      if (i % 2 === 0) { renderLines(frag, part, ctx); return; }
      var pre = el("pre", "bk-pre");
      renderInline(pre, part.replace(/^\n/, "").replace(/\n$/, ""), ctx, false);
      frag.appendChild(pre);
    });
    return frag;
  }

  function text(obj, ctx) {
    if (obj === undefined || obj === null) return document.createTextNode("");
    if (typeof obj === "string") return document.createTextNode(obj);
    if (obj.type === "mrkdwn") {
      var span = el("span", "bk-mrkdwn");
      span.appendChild(mrkdwn(obj.text, ctx));
      return span;
    }
    var s = String(obj.text === undefined ? "" : obj.text);
    // Slack keeps a plain_text object's line breaks (mrkdwn turns them into <br>s).
    var plainSpan = el("span", "bk-plain");
    plainSpan.textContent = obj.emoji === false ? s : emojify(s);
    return plainSpan;
  }

  function plain(obj) {
    if (!obj) return "";
    var s = String(obj.text === undefined ? obj : obj.text);
    return obj.emoji === false ? s : emojify(s);
  }

  // ---------------------------------------------------------------- confirm dialog

  function confirmDialog(confirm, ctx, onYes, onNo) {
    var overlay = el("div", "bk-confirm-overlay");
    var dialog = el("div", "bk-confirm");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    var title = el("div", "bk-confirm-title");
    title.appendChild(text(confirm.title || { type: "plain_text", text: "Are you sure?" }, ctx));
    var body = el("div", "bk-confirm-text");
    body.appendChild(text(confirm.text, ctx));
    var danger = confirm.style === "danger";
    var no = el("button", "bk-button bk-confirm-no", plain(confirm.deny) || "Cancel");
    var yes = el("button", "bk-button bk-confirm-yes " + (danger ? "bk-btn-danger" : "bk-btn-primary"),
      plain(confirm.confirm) || "Yes");
    no.type = yes.type = "button";
    function close(accepted) {
      document.removeEventListener("keydown", onKey, true);
      overlay.remove();
      (accepted ? onYes : onNo || function () {})();
    }
    function onKey(e) { if (e.key === "Escape") { e.stopPropagation(); close(false); } }
    no.addEventListener("click", function () { close(false); });
    yes.addEventListener("click", function () { close(true); });
    overlay.addEventListener("click", function (e) { if (e.target === overlay) close(false); });
    document.addEventListener("keydown", onKey, true);
    append(dialog, [title, body, append(el("div", "bk-confirm-buttons"), [no, yes])]);
    overlay.appendChild(dialog);
    document.body.appendChild(overlay);
    yes.focus();
  }

  function withConfirm(confirm, ctx, onYes, onNo) {
    if (confirm && typeof confirm === "object") confirmDialog(confirm, ctx, onYes, onNo);
    else onYes();
  }

  // ---------------------------------------------------------------- element plumbing

  /** env: {block, blockId, ctx, dispatch, index}; makes the action payload and sends it. */
  function fire(env, elem, extra) {
    if (!env.dispatch || !env.ctx || typeof env.ctx.onAction !== "function") return;
    var action = { type: elem.type, action_id: actionId(elem, env), block_id: env.blockId, action_ts: actionTs() };
    env.ctx.onAction(Object.assign(action, extra), env.block);
  }

  function actionId(elem, env) { return elem.action_id || env.blockId + "-action-" + env.index; }

  var stateOf = new WeakMap();

  /** Marks node as a stateful element; getter returns the value keys for view.state.values. */
  function register(node, elem, env, getter) {
    node.classList.add("bk-stateful");
    node.setAttribute("data-action-id", actionId(elem, env));
    stateOf.set(node, { type: elem.type, actionId: actionId(elem, env), get: getter });
    if (elem.focus_on_load) {
      setTimeout(function () { (node.querySelector("input,select,textarea") || node).focus(); }, 0);
    }
  }

  function optionKey(opt) { return opt && opt.value !== undefined ? String(opt.value) : plain(opt && opt.text); }

  function allOptions(elem) {
    var list = (elem.options || []).slice();
    (elem.option_groups || []).forEach(function (g) { list = list.concat(g.options || []); });
    return list;
  }

  function sameOption(a, b) { return a && b && optionKey(a) === optionKey(b); }

  // ---------------------------------------------------------------- buttons and overflow

  function renderButton(elem, env) {
    var href = elem.url ? safeUrl(elem.url) : null;
    var node = el(href ? "a" : "button", "bk-button" + (elem.style ? " bk-btn-" + elem.style : ""));
    node.appendChild(text(elem.text, env.ctx));
    if (href) {
      node.setAttribute("href", href);
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    } else {
      node.type = "button";
    }
    if (elem.accessibility_label) node.setAttribute("aria-label", elem.accessibility_label);
    node.setAttribute("data-action-id", actionId(elem, env));
    node.addEventListener("click", function (e) {
      var send = function () {
        var extra = { text: copy(elem.text) };
        if (elem.value !== undefined) extra.value = elem.value;
        fire(Object.assign({}, env, { dispatch: true }), elem, extra);
      };
      if (!elem.confirm) { send(); return; }
      e.preventDefault();
      withConfirm(elem.confirm, env.ctx, function () {
        if (href) window.open(href, "_blank", "noopener");
        send();
      });
    });
    return node;
  }

  function renderOverflow(elem, env) {
    var wrap = el("div", "bk-overflow");
    var toggle = el("button", "bk-button bk-overflow-button", "\u{22EF}");
    toggle.type = "button";
    toggle.setAttribute("aria-label", "More actions");
    toggle.setAttribute("data-action-id", actionId(elem, env));
    var menu = el("div", "bk-menu");
    menu.setAttribute("role", "menu");
    menu.hidden = true;
    function close() { menu.hidden = true; document.removeEventListener("click", outside, true); }
    function outside(e) { if (!wrap.contains(e.target)) close(); }
    (elem.options || []).forEach(function (opt) {
      var item = el("button", "bk-menu-item");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.setAttribute("data-value", optionKey(opt));
      item.appendChild(text(opt.text, env.ctx));
      item.addEventListener("click", function () {
        close();
        var href = opt.url ? safeUrl(opt.url) : null;
        withConfirm(elem.confirm, env.ctx, function () {
          if (href) window.open(href, "_blank", "noopener");
          fire(Object.assign({}, env, { dispatch: true }), elem, { selected_option: copy(opt) });
        });
      });
      menu.appendChild(item);
    });
    toggle.addEventListener("click", function () {
      if (!menu.hidden) { close(); return; }
      menu.hidden = false;
      document.addEventListener("click", outside, true);
    });
    return append(wrap, [toggle, menu]);
  }

  // ---------------------------------------------------------------- selects

  /** Options for the select types that take no options from the JSON. */
  function directoryOptions(kind, ctx) {
    var users = Object.keys((ctx && ctx.users) || {}).map(function (id) {
      return { value: id, label: userName(id, ctx) };
    });
    var channels = Object.keys((ctx && ctx.channels) || {}).map(function (id) {
      return { value: id, label: "#" + channelName(id, ctx) };
    });
    if (kind === "users") return users;
    if (kind === "channels") return channels;
    return channels.concat(users.map(function (u) { return { value: u.value, label: "@" + u.label }; }));
  }

  var DIRECTORY = {
    users_select: { kind: "users", one: "selected_user", initial: "initial_user" },
    channels_select: { kind: "channels", one: "selected_channel", initial: "initial_channel" },
    conversations_select: { kind: "conversations", one: "selected_conversation", initial: "initial_conversation" },
    multi_users_select: { kind: "users", many: "selected_users", initial: "initial_users" },
    multi_channels_select: { kind: "channels", many: "selected_channels", initial: "initial_channels" },
    multi_conversations_select: {
      kind: "conversations", many: "selected_conversations", initial: "initial_conversations",
    },
  };

  function addOption(parent, value, label, selected) {
    var o = el("option", null, label);
    o.value = value;
    o.selected = !!selected;
    parent.appendChild(o);
    return o;
  }

  function selectShell(elem, env, multiple) {
    var select = el("select", "bk-select" + (multiple ? " bk-select-multi" : ""));
    select.id = nextId("select");
    if (multiple) select.multiple = true;
    else {
      var ph = addOption(select, "", plain(elem.placeholder) || "Select an item", true);
      ph.disabled = true;
      ph.className = "bk-placeholder";
    }
    return select;
  }

  function selectedValues(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.selected && !o.disabled; })
      .map(function (o) { return o.value; });
  }

  function renderStaticSelect(elem, env) {
    var multiple = elem.type.indexOf("multi_") === 0;
    var select = selectShell(elem, env, multiple);
    var byKey = {};
    var initial = multiple ? (elem.initial_options || []) : (elem.initial_option ? [elem.initial_option] : []);
    function addAll(parent, options) {
      (options || []).forEach(function (opt) {
        byKey[optionKey(opt)] = opt;
        var chosen = initial.some(function (i) { return sameOption(i, opt); });
        addOption(parent, optionKey(opt), plain(opt.text), chosen);
      });
    }
    addAll(select, elem.options);
    (elem.option_groups || []).forEach(function (group) {
      var g = el("optgroup");
      g.setAttribute("label", plain(group.label));
      addAll(g, group.options);
      select.appendChild(g);
    });
    initial.forEach(function (opt) {  // external selects: the initial option is all we know
      var key = optionKey(opt);
      if (!byKey[key]) { byKey[key] = opt; addOption(select, key, plain(opt.text), true); }
    });
    if (multiple) select.size = Math.min(Math.max(select.options.length, 2), 6);
    var value = function () {
      var chosen = selectedValues(select).map(function (k) { return copy(byKey[k]); });
      return multiple ? { selected_options: chosen } : { selected_option: chosen[0] || null };
    };
    wireSelect(select, elem, env, value);
    register(select, elem, env, value);
    return select;
  }

  function renderDirectorySelect(elem, env) {
    var spec = DIRECTORY[elem.type];
    var multiple = !!spec.many;
    var select = selectShell(elem, env, multiple);
    var initial = [].concat(elem[spec.initial] || []);
    var seen = {};
    directoryOptions(spec.kind, env.ctx).forEach(function (o) {
      seen[o.value] = true;
      addOption(select, o.value, o.label, initial.indexOf(o.value) >= 0);
    });
    initial.forEach(function (id) { if (!seen[id]) addOption(select, id, id, true); });
    if (multiple) select.size = Math.min(Math.max(select.options.length, 2), 6);
    var value = function () {
      var ids = selectedValues(select);
      var out = {};
      if (multiple) out[spec.many] = ids;
      else out[spec.one] = ids[0] || null;
      return out;
    };
    wireSelect(select, elem, env, value);
    register(select, elem, env, value);
    return select;
  }

  /** Dispatches a change (after any confirm); a denied confirm puts the old choice back. */
  function wireSelect(select, elem, env, value) {
    var previous = selectedValues(select);
    select.addEventListener("change", function () {
      if (!env.dispatch) { previous = selectedValues(select); return; }
      withConfirm(elem.confirm, env.ctx, function () {
        previous = selectedValues(select);
        fire(env, elem, value());
      }, function () {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = previous.indexOf(o.value) >= 0; });
        if (!previous.length && !select.multiple) select.selectedIndex = 0;
      });
    });
  }

  // ---------------------------------------------------------------- radio buttons and checkboxes

  function renderChoices(elem, env) {
    var isRadio = elem.type === "radio_buttons";
    var group = el("div", "bk-choices " + (isRadio ? "bk-radios" : "bk-checkboxes"));
    group.setAttribute("role", isRadio ? "radiogroup" : "group");
    var name = nextId("choice");
    var initial = isRadio ? (elem.initial_option ? [elem.initial_option] : []) : (elem.initial_options || []);
    var inputs = [];
    (elem.options || []).forEach(function (opt) {
      var row = el("label", "bk-choice");
      var input = el("input");
      input.type = isRadio ? "radio" : "checkbox";
      input.name = name;
      input.value = optionKey(opt);
      input.checked = initial.some(function (i) { return sameOption(i, opt); });
      var labelBox = el("span", "bk-choice-text");
      labelBox.appendChild(text(opt.text, env.ctx));
      if (opt.description) {
        labelBox.appendChild(append(el("span", "bk-choice-description"), [text(opt.description, env.ctx)]));
      }
      inputs.push({ input: input, option: opt });
      group.appendChild(append(row, [input, labelBox]));
    });
    var value = function () {
      var chosen = inputs.filter(function (i) { return i.input.checked; })
        .map(function (i) { return copy(i.option); });
      return isRadio ? { selected_option: chosen[0] || null } : { selected_options: chosen };
    };
    var previous = inputs.map(function (i) { return i.input.checked; });
    group.addEventListener("change", function () {
      withConfirm(env.dispatch && elem.confirm, env.ctx, function () {
        previous = inputs.map(function (i) { return i.input.checked; });
        fire(env, elem, value());
      }, function () {
        inputs.forEach(function (i, n) { i.input.checked = previous[n]; });
      });
    });
    register(group, elem, env, value);
    return group;
  }

  // ---------------------------------------------------------------- text, number, date and time inputs

  var INPUT_TYPES = {
    plain_text_input: "text", email_text_input: "email", url_text_input: "url", number_input: "number",
  };

  function renderTextInput(elem, env) {
    var multiline = elem.type === "plain_text_input" && elem.multiline;
    var input = el(multiline ? "textarea" : "input", "bk-input" + (multiline ? " bk-textarea" : ""));
    if (!multiline) input.type = INPUT_TYPES[elem.type] || "text";
    input.id = nextId("input");
    if (elem.placeholder) input.setAttribute("placeholder", plain(elem.placeholder));
    if (elem.max_length !== undefined) input.setAttribute("maxlength", String(elem.max_length));
    if (elem.min_length !== undefined) input.setAttribute("minlength", String(elem.min_length));
    if (elem.type === "number_input") {
      input.setAttribute("step", elem.is_decimal_allowed ? "any" : "1");
      if (elem.min_value !== undefined) input.setAttribute("min", String(elem.min_value));
      if (elem.max_value !== undefined) input.setAttribute("max", String(elem.max_value));
    }
    if (elem.initial_value !== undefined) input.value = String(elem.initial_value);
    var value = function () { return { value: input.value === "" ? null : input.value }; };
    input.addEventListener("keydown", function (e) {  // Slack's default dispatch trigger: Enter
      if (e.key === "Enter" && !multiline) fire(env, elem, value());
    });
    register(input, elem, env, value);
    return input;
  }

  function renderDateTime(elem, env) {
    var isDate = elem.type === "datepicker";
    var input = el("input", "bk-input bk-" + elem.type);
    input.type = isDate ? "date" : "time";
    input.id = nextId(elem.type);
    var initial = isDate ? elem.initial_date : elem.initial_time;
    if (initial) input.value = initial;
    if (elem.placeholder) input.setAttribute("aria-label", plain(elem.placeholder));
    var key = isDate ? "selected_date" : "selected_time";
    var value = function () { var out = {}; out[key] = input.value || null; return out; };
    input.addEventListener("change", function () {
      withConfirm(env.dispatch && elem.confirm, env.ctx, function () { fire(env, elem, value()); });
    });
    register(input, elem, env, value);
    return input;
  }

  // ---------------------------------------------------------------- element dispatch

  function renderElement(elem, env) {
    if (!elem || typeof elem !== "object") return unsupported("element");
    var t = elem.type;
    if (t === "button") return renderButton(elem, env);
    if (t === "overflow") return renderOverflow(elem, env);
    if (t === "image") return image(elem.image_url, elem.alt_text, "bk-accessory-image");
    if (/^(multi_)?(static|external)_select$/.test(t)) return renderStaticSelect(elem, env);
    if (DIRECTORY[t]) return renderDirectorySelect(elem, env);
    if (t === "radio_buttons" || t === "checkboxes") return renderChoices(elem, env);
    if (INPUT_TYPES[t]) return renderTextInput(elem, env);
    if (t === "datepicker" || t === "timepicker") return renderDateTime(elem, env);
    return unsupported("element: " + t);
  }

  function unsupported(what) { return el("div", "bk-unsupported", "[unsupported " + what + "]"); }

  // ---------------------------------------------------------------- blocks

  function renderHeader(block, env) {
    var node = el("div", "bk-header");
    node.appendChild(text(block.text, env.ctx));
    return node;
  }

  function renderSection(block, env) {
    var node = el("div", "bk-section");
    var main = el("div", "bk-section-main");
    if (block.text) append(main, [append(el("div", "bk-section-text"), [text(block.text, env.ctx)])]);
    if (block.fields && block.fields.length) {
      var fields = el("div", "bk-fields");
      block.fields.forEach(function (f) { fields.appendChild(append(el("div", "bk-field"), [text(f, env.ctx)])); });
      main.appendChild(fields);
    }
    node.appendChild(main);
    if (block.accessory) {
      var acc = el("div", "bk-accessory bk-accessory-" + block.accessory.type);
      acc.appendChild(renderElement(block.accessory, Object.assign({}, env, { index: 0 })));
      node.appendChild(acc);
    }
    return node;
  }

  function renderContext(block, env) {
    var node = el("div", "bk-context");
    (block.elements || []).forEach(function (item) {
      if (item.type === "image") node.appendChild(image(item.image_url, item.alt_text, "bk-context-image"));
      else node.appendChild(append(el("span", "bk-context-text"), [text(item, env.ctx)]));
    });
    return node;
  }

  function renderImageBlock(block, env) {
    var node = el("figure", "bk-image-block");
    if (block.title) node.appendChild(append(el("figcaption", "bk-image-title"), [text(block.title, env.ctx)]));
    node.appendChild(image(block.image_url, block.alt_text, "bk-image"));
    return node;
  }

  function renderActions(block, env) {
    var node = el("div", "bk-actions");
    (block.elements || []).forEach(function (elem, i) {
      var control = renderElement(elem, Object.assign({}, env, { index: i }));
      node.appendChild(append(el("div", "bk-actions-item"), [control]));
    });
    return node;
  }

  function renderInput(block, env) {
    var node = el("div", "bk-input-block");
    var label = el("label", "bk-label");
    label.appendChild(text(block.label, env.ctx));
    if (block.optional) label.appendChild(el("span", "bk-optional", " (optional)"));
    var elemEnv = Object.assign({}, env, { index: 0, dispatch: !!block.dispatch_action });
    var control = renderElement(block.element, elemEnv);
    if (control.id) label.setAttribute("for", control.id);
    append(node, [label, append(el("div", "bk-input-control"), [control])]);
    if (block.hint) node.appendChild(append(el("div", "bk-hint"), [text(block.hint, env.ctx)]));
    var error = env.ctx && env.ctx.errors && env.ctx.errors[env.blockId];
    if (error) {
      node.classList.add("bk-has-error");
      var msg = el("div", "bk-error", String(error));
      msg.setAttribute("role", "alert");
      node.appendChild(msg);
    }
    return node;
  }

  function renderMarkdownBlock(block, env) {
    return append(el("div", "bk-section-text bk-markdown"), [mrkdwn(block.text, env.ctx)]);
  }

  // ---------------------------------------------------------------- rich_text

  function richInline(item, ctx) {
    var style = item.style || {};
    var node;
    switch (item.type) {
      case "text": node = document.createTextNode(String(item.text || "")); break;
      case "link": {
        var href = safeUrl(item.url);
        node = href ? link(href, item.text || item.url)
          : document.createTextNode(String(item.text || item.url || ""));
        break;
      }
      case "user": node = mentionChip("@" + userName(item.user_id, ctx), "user"); break;
      case "channel": node = mentionChip("#" + channelName(item.channel_id, ctx), "channel"); break;
      case "usergroup": node = mentionChip("@" + item.usergroup_id, "usergroup"); break;
      case "broadcast": node = mentionChip("@" + item.range, "broadcast"); break;
      case "emoji": node = document.createTextNode(emojiChar(item)); break;
      case "date": node = el("span", "bk-date", formatDate(item.timestamp, item.format, item.fallback)); break;
      default: node = document.createTextNode("");
    }
    return applyStyle(node, style);
  }

  function emojiChar(item) {
    if (item.unicode) {
      try {
        var points = item.unicode.split("-").map(function (h) { return parseInt(h, 16); });
        return String.fromCodePoint.apply(String, points);
      } catch (e) { /* fall through to the name */ }
    }
    return EMOJI[item.name] || ":" + item.name + ":";
  }

  function applyStyle(node, style) {
    [["code", "code"], ["strike", "s"], ["italic", "i"], ["bold", "b"]].forEach(function (pair) {
      if (style[pair[0]]) {
        var wrap = el(pair[1], pair[0] === "code" ? "bk-code" : null);
        wrap.appendChild(node);
        node = wrap;
      }
    });
    return node;
  }

  function richInlines(parent, elements, ctx) {
    (elements || []).forEach(function (item) { parent.appendChild(richInline(item, ctx)); });
    return parent;
  }

  function richElement(item, ctx) {
    switch (item.type) {
      case "rich_text_section": return richInlines(el("div", "bk-rich-section"), item.elements, ctx);
      case "rich_text_quote": return richInlines(el("blockquote", "bk-quote bk-rich-section"), item.elements, ctx);
      case "rich_text_preformatted": return richInlines(el("pre", "bk-pre"), item.elements, ctx);
      case "rich_text_list": {
        var list = el(item.style === "ordered" ? "ol" : "ul", "bk-rich-list");
        list.style.marginLeft = (Number(item.indent) || 0) * 24 + "px";
        if (item.offset) list.setAttribute("start", String(Number(item.offset) + 1));
        (item.elements || []).forEach(function (section) {
          list.appendChild(richInlines(el("li"), section.elements, ctx));
        });
        return list;
      }
      default: return unsupported("rich text: " + item.type);
    }
  }

  function renderRichText(block, env) {
    var node = el("div", "bk-rich-text");
    (block.elements || []).forEach(function (item) { node.appendChild(richElement(item, env.ctx)); });
    return node;
  }

  // ---------------------------------------------------------------- render / state

  var BLOCKS = {
    header: renderHeader,
    section: renderSection,
    context: renderContext,
    divider: function () { return el("hr", "bk-divider"); },
    image: renderImageBlock,
    actions: renderActions,
    input: renderInput,
    rich_text: renderRichText,
    markdown: renderMarkdownBlock,
  };

  function blockIdFor(block, index) {
    return block && block.block_id ? String(block.block_id) : "bk-block-" + index;
  }

  function renderBlock(block, index, ctx) {
    var type = block && block.type;
    var blockId = blockIdFor(block, index);
    var wrap = el("div", "bk-block bk-block-" + String(type || "unknown").replace(/[^a-z0-9_-]/gi, ""));
    wrap.setAttribute("data-block-id", blockId);
    wrap.setAttribute("data-block-type", String(type));
    var env = { block: block, blockId: blockId, ctx: ctx, dispatch: true, index: 0 };
    try {
      wrap.appendChild(BLOCKS[type] ? BLOCKS[type](block, env) : unsupported("block: " + type));
    } catch (e) {
      if (window.console) console.warn("BlockKit: could not render block", block, e);
      wrap.appendChild(unsupported("block: " + type + " (render error)"));
    }
    return wrap;
  }

  function render(blocks, ctx) {
    ctx = ctx || {};
    var root = el("div", "bk-blocks bk-surface-" + String(ctx.surface || "message").replace(/[^a-z]/g, ""));
    (Array.isArray(blocks) ? blocks : []).forEach(function (block, i) {
      root.appendChild(renderBlock(block, i, ctx));
    });
    return root;
  }

  function state(root) {
    var values = {};
    if (!root || !root.querySelectorAll) return values;
    root.querySelectorAll(".bk-stateful").forEach(function (node) {
      var entry = stateOf.get(node);
      var blockNode = node.closest("[data-block-id]");
      if (!entry || !blockNode) return;
      var blockId = blockNode.getAttribute("data-block-id");
      values[blockId] = values[blockId] || {};
      values[blockId][entry.actionId] = Object.assign({ type: entry.type }, entry.get());
    });
    return values;
  }

  window.BlockKit = { render: render, state: state, mrkdwn: mrkdwn, text: text };
})();
