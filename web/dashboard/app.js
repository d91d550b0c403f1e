// trakt-scrobblerd dashboard. Hand-written, no framework: the daemon sends its whole state over Server-Sent Events
// (/api/events) whenever something changes, and each section is drawn again when its part of the state changed.
// Nothing here polls. Every change is a POST with the CSRF token from the state. Text is only ever set as text.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let state = null;
  const drawn = {}; // section id → JSON it was last drawn from
  const fixing = {}; // unidentified item → the open "fix the match" form's state
  let checks = null; // doctor results, or "running"

  /** h("p.meta", {onclick}, "text", child…): an element with classes, attributes/handlers and children. */
  function h(tag, attrs, ...children) {
    const [name, ...classes] = tag.split(".");
    const el = document.createElement(name);
    if (classes.length) el.className = classes.join(" ");
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  // ---- formatting -------------------------------------------------------------------------------------------
  /** A file name that may wrap after its dots and underscores rather than in the middle of a word. */
  function breakable(text) {
    return text.split(/(?<=[._])/).flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
  }
  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dateFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
  function when(iso) {
    const d = new Date(iso);
    const today = new Date();
    const yesterday = new Date(Date.now() - 86400000);
    if (d.toDateString() === today.toDateString()) return "Today " + timeFmt.format(d);
    if (d.toDateString() === yesterday.toDateString()) return "Yesterday " + timeFmt.format(d);
    return dateFmt.format(d) + " " + timeFmt.format(d);
  }
  function clock(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const hh = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(hh ? 2 : 1, "0");
    const ss = String(s % 60).padStart(2, "0");
    return hh ? hh + ":" + mm + ":" + ss : mm + ":" + ss;
  }
  function inTime(iso) {
    const ms = new Date(iso).getTime() - Date.now();
    const abs = Math.abs(ms);
    const text = abs >= 2 * 86400000 ? Math.round(abs / 86400000) + " days" : abs >= 7200000 ? Math.round(abs / 3600000) + " hours" : Math.max(1, Math.round(abs / 60000)) + " min";
    return ms >= 0 ? "in " + text : text + " ago";
  }
  function uptime(iso) {
    const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 3600) return Math.max(1, Math.round(s / 60)) + " min";
    if (s < 172800) return Math.round(s / 3600) + " hours";
    return Math.round(s / 86400) + " days";
  }
  const KIND = { start: "playing", pause: "paused", stop: "stopped early", watched: "watch" };
  const kindLabel = (e) => (e.watch ? "watch" : KIND[e.kind] || e.kind);
  const REASON = {
    unknown_media: "Not identified: fix the match above, then it is sent",
    not_found: "Trakt does not know this item",
    invalid: "Trakt refused the request",
    account_limit: "The Trakt account hit a limit",
  };
  const ACCOUNT_STATE = { ok: ["Logged in", "ok"], refresh_due: ["Renewing", "warn"], needs_login: ["Needs login", "bad"], locked: ["Token store locked", "bad"] };
  const ADAPTER_STATE = { connected: ["up", "ok"], starting: ["starting", "warn"], disconnected: ["waiting", "warn"], stopped: ["stopped", "info"], failed: ["down", "bad"] };

  // ---- talking to the daemon --------------------------------------------------------------------------------
  async function post(path, body) {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": state ? state.csrf : "" },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(answer.error || "the daemon answered " + res.status);
      error.snippet = answer.snippet;
      throw error;
    }
    return answer;
  }

  let toastTimer = 0;
  function toast(text) {
    const el = $("toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), 4000);
  }

  /** A button that runs `action` once at a time and says what went wrong. */
  function actionButton(label, action, cls) {
    const button = h("button" + (cls ? "." + cls : ""), { type: "button" }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const message = await action();
        if (message) toast(message);
      } catch (error) {
        toast(error.message);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  // ---- sections ---------------------------------------------------------------------------------------------
  function section(id, count, content) {
    const body = $(id).querySelector(".body");
    const heading = $(id).querySelector("h2");
    heading.querySelector(".count")?.remove();
    if (count !== undefined) heading.append(h("span.count", {}, count));
    body.replaceChildren(...[].concat(content).flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  function drawAttention(s) {
    const items = [];
    const attention = s.accounts.filter((a) => a.state === "needs_login" || a.state === "locked");
    for (const a of attention) items.push(h("li", {}, h("a", { href: "#accounts" }, "Account " + a.account), " " + (a.state === "locked" ? "cannot read its tokens" : "needs a login") + "."));
    if (s.unidentified.length) items.push(h("li", {}, h("a", { href: "#unidentified" }, s.unidentified.length + " item" + (s.unidentified.length > 1 ? "s" : "")), " could not be identified: pick the right title."));
    const dead = s.queue.dead.filter((d) => d.reason !== "unknown_media").length;
    if (dead) items.push(h("li", {}, h("a", { href: "#queue" }, dead + " watch" + (dead > 1 ? "es" : "")), " could not be sent: retry or drop."));
    const down = s.health.adapters.filter((a) => a.state === "failed");
    for (const a of down) items.push(h("li", {}, h("a", { href: "#health" }, a.name), " is down" + (a.detail ? ": " + a.detail : "") + "."));
    $("attention").replaceChildren(...(items.length ? [h("div.card.attention", {}, h("h3", {}, "Needs you"), h("ul", {}, items))] : []));
  }

  function drawNav(s) {
    const links = [
      ["playing", "Playing", s.playing.length, false],
      ["unidentified", "Fix", s.unidentified.length, s.unidentified.length > 0],
      ["recent", "Recent", s.recent.length, false],
      ["queue", "Queue", s.queue.pending.length + s.queue.dead.length, s.queue.dead.length > 0],
      ["accounts", "Accounts", s.accounts.length, s.accounts.some((a) => a.state === "needs_login" || a.state === "locked")],
      ["health", "Health", undefined, !s.ready.ready],
    ];
    $("nav").replaceChildren(...links.map(([id, label, n, alert]) => h("a" + (alert ? ".alert" : ""), { href: "#" + id }, label, n !== undefined ? h("span.n", {}, n) : null)));
  }

  function drawPlaying(s) {
    if (!s.playing.length) return section("playing", undefined, h("p.empty", {}, "Nothing is playing."));
    section(
      "playing",
      s.playing.length,
      h(
        "div.playing",
        {},
        s.playing.map((p) => {
          const fill = h("span");
          const progress = p.progress ?? 0;
          fill.style.width = progress + "%";
          // While playing, the bar moves on by itself (a CSS transition to the end), so the page needs no timer.
          if (p.state === "playing" && p.durationMs && p.positionMs !== undefined && p.progress !== undefined) {
            const elapsed = Math.max(0, Date.now() - new Date(p.updatedAt).getTime());
            const remaining = Math.max(0, p.durationMs - p.positionMs - elapsed);
            fill.style.width = Math.min(100, ((p.positionMs + elapsed) / p.durationMs) * 100) + "%";
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                fill.style.transition = "width " + remaining / 1000 + "s linear";
                fill.style.width = "100%";
              }),
            );
          }
          const stateBadge = { playing: ["Playing", "ok"], paused: ["Paused", "warn"], stale: ["No news from the player", "warn"] }[p.state] || [p.state, "info"];
          return h(
            "article.session" + (p.state === "playing" ? "" : ".paused"),
            { "data-state": p.state },
            h("div.row", {}, h("div.title", { title: p.file }, p.item), h("span.badge." + stateBadge[1], {}, stateBadge[0])),
            h("div.bar", { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(progress)) }, fill),
            h(
              "div.meta",
              {},
              p.positionMs !== undefined && p.durationMs ? clock(p.positionMs) + " / " + clock(p.durationMs) + " · " : p.progress !== undefined ? Math.round(progress) + " % · " : "",
              p.player + " → " + p.account,
            ),
          );
        }),
      ),
    );
  }

  function drawRecent(s) {
    if (!s.recent.length) return section("recent", undefined, h("p.empty", {}, "No watch recorded since the daemon started."));
    const via = { scrobble: "scrobbled live", history: "added to the history later", already: "was already on Trakt" };
    section(
      "recent",
      s.recent.length,
      h(
        "ul.list",
        {},
        s.recent.map((w) =>
          h("li", { "data-id": w.id }, h("div.row", {}, h("div.title", { title: w.file }, w.label), h("span.badge.ok", {}, "Watched")), h("div.meta", {}, when(w.watchedAt) + " · " + via[w.via] + " · " + w.player + " → " + w.account)),
        ),
      ),
    );
  }

  function queueRow(e, dead) {
    const reason = dead
      ? REASON[e.reason] || e.reason
      : e.waitingFor === "login"
        ? "Waits until account " + e.account + " is logged in (see Accounts)"
        : e.lastError
          ? "Trying again: " + e.lastError
          : "Waiting to be sent";
    return h(
      "li",
      { "data-id": e.id },
      h("div.row", {}, h("div.title", { title: e.file }, e.label), h("span.badge." + (dead ? "bad" : "info"), {}, kindLabel(e))),
      h("div.meta", {}, when(e.queuedAt) + " · " + e.player + " → " + e.account + (e.attempts > 1 ? " · " + e.attempts + " tries" : "")),
      h("div.meta", {}, reason),
      dead && e.message ? h("details", {}, h("summary", {}, "Trakt's answer"), h("p", {}, e.message)) : null,
      h(
        "div.actions",
        {},
        dead
          ? actionButton("Retry", async () => {
              const r = await post("/api/queue/retry", { id: e.id });
              return "Sending " + r.label + " again";
            })
          : null,
        actionButton(
          "Drop",
          async () => {
            if (!confirm("Drop “" + e.label + "”? It will not be sent to Trakt.")) return "";
            const r = await post("/api/queue/drop", { id: e.id });
            return "Dropped " + r.label;
          },
          "danger",
        ),
      ),
    );
  }

  function drawQueue(s) {
    const { pending, dead } = s.queue;
    if (!pending.length && !dead.length) return section("queue", undefined, h("p.empty", {}, "Nothing waiting: everything reached Trakt."));
    section("queue", pending.length + dead.length, [
      dead.length ? h("h3", {}, "Could not be sent (" + dead.length + ")") : null,
      dead.length ? h("ul.list", {}, dead.map((e) => queueRow(e, true))) : null,
      pending.length ? h("h3", {}, "Waiting to be sent (" + pending.length + ")") : null,
      pending.length ? h("ul.list", {}, pending.map((e) => queueRow(e, false))) : null,
    ]);
  }

  function drawUnidentified(s) {
    if (!s.unidentified.length) return section("unidentified", undefined, h("p.empty", {}, "Everything played so far was recognised."));
    section(
      "unidentified",
      s.unidentified.length,
      h(
        "ul.list",
        {},
        s.unidentified.map((u) =>
          h(
            "li",
            { "data-what": u.what },
            h("div.row", {}, h("div.title", {}, breakable(u.name)), u.waiting ? h("span.badge.warn", {}, u.waiting + " waiting") : null),
            h("div.meta", {}, when(u.at) + (u.name !== u.what ? " · " + u.what : "")),
            h("details", {}, h("summary", {}, "What was tried"), h("p", {}, u.reason)),
            fixing[u.what] ? fixForm(u) : h("div.actions", {}, h("button.primary", { type: "button", onclick: () => openFix(u) }, "Fix the match")),
          ),
        ),
      ),
    );
  }

  function openFix(u) {
    fixing[u.what] = { type: u.guess.type, query: u.guess.query, year: u.guess.year, results: null, picked: null, scope: u.match.title ? "title" : "path", busy: false, error: null };
    redraw("unidentified", true);
    search(u);
  }

  async function search(u) {
    const f = fixing[u.what];
    // the form opens with a search for the guess; one typed meanwhile must not be overwritten by its late answer
    const ticket = (f.searches = (f.searches || 0) + 1);
    const stale = () => fixing[u.what] !== f || f.searches !== ticket;
    f.busy = true;
    f.error = null;
    redraw("unidentified", true);
    try {
      const params = new URLSearchParams({ type: f.type, q: f.query });
      if (f.year && f.type === "movie") params.set("year", String(f.year));
      let res = await fetch("/api/search?" + params);
      let body = await res.json();
      if (res.ok && !body.results.length && params.has("year")) {
        params.delete("year"); // the year in a file name is sometimes wrong: try without
        if (stale()) return;
        res = await fetch("/api/search?" + params);
        body = await res.json();
      }
      if (stale()) return;
      if (!res.ok) throw new Error(body.error || "search failed");
      f.results = body.results;
      f.picked = null;
    } catch (error) {
      if (!stale()) f.error = error.message;
    } finally {
      if (!stale()) {
        f.busy = false;
        redraw("unidentified", true);
      }
    }
  }

  function fixForm(u) {
    const f = fixing[u.what];
    const input = h("input", { type: "search", value: f.query, "aria-label": "Search Trakt", enterkeyhint: "search" });
    input.addEventListener("input", () => (f.query = input.value));
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        f.year = undefined;
        search(u);
      }
    });
    const typeButton = (type, label) =>
      h("button", { type: "button", "aria-pressed": String(f.type === type), onclick: () => ((f.type = type), (f.year = undefined), search(u)) }, label);
    const results =
      f.results === null
        ? null
        : f.results.length === 0
          ? h("p.muted.small", {}, "Trakt found nothing. Try other words, or the other type.")
          : h(
              "ul.results",
              {},
              f.results.map((r) =>
                h(
                  "li",
                  {},
                  h(
                    "button",
                    { type: "button", "aria-pressed": String(f.picked === r), onclick: () => ((f.picked = r), redraw("unidentified", true)) },
                    h("span", {}, h("strong", {}, r.title), r.year ? " (" + r.year + ")" : ""),
                    h("span.muted.small", {}, r.ids.imdb || (r.ids.slug ? "trakt: " + r.ids.slug : "")),
                  ),
                ),
              ),
            );
    const scope = (value, label, detail) =>
      h(
        "label.choice",
        {},
        h("input", { type: "radio", name: "scope-" + u.what, value, checked: f.scope === value, onchange: () => (f.scope = value) }),
        h("span", {}, label, h("br"), h("span.muted.small", {}, detail)),
      );
    return h(
      "div.fix",
      {},
      h("div.segmented", { role: "group", "aria-label": "Movie or show" }, typeButton("movie", "Movie"), typeButton("show", "Show")),
      h("div.search", {}, input, h("button", { type: "button", onclick: () => ((f.year = undefined), search(u)), disabled: f.busy }, f.busy ? "Searching…" : "Search")),
      f.error ? h("p.error.small", {}, f.error) : null,
      results,
      f.picked
        ? h(
            "div",
            {},
            h("label", {}, "Use “" + f.picked.title + "” for"),
            u.match.title ? scope("title", "every file titled “" + u.match.title + "”", f.type === "show" ? "all episodes of this show (season and episode from the file name)" : "any copy of this film") : null,
            scope("path", "this file only", "“" + u.match.path + "”"),
          )
        : null,
      f.saved ? h("div.note" + (f.saved.error ? ".bad" : ""), {}, f.saved.text, f.saved.snippet ? h("pre.snippet", {}, f.saved.snippet) : null) : null,
      h(
        "div.actions",
        {},
        actionButton(
          "Save and send",
          async () => {
            if (!f.picked) throw new Error("Pick one of the results first");
            const to = { type: f.type, trakt: f.picked.ids.trakt };
            if (f.picked.ids.slug) to.slug = f.picked.ids.slug;
            if (f.picked.ids.imdb) to.imdb = f.picked.ids.imdb;
            const rule = f.scope === "title" && u.match.title ? { title: u.match.title, to } : { path: u.match.path, to };
            const picked = f.picked.title + (f.picked.year ? " (" + f.picked.year + ")" : "");
            try {
              const r = await post("/api/fix", { what: u.what, picked, rule });
              delete fixing[u.what];
              redraw("unidentified", true);
              return "Saved in " + r.file + (r.retried.length ? " · sending " + r.retried.join(", ") : "") + (r.warning ? " · " + r.warning : "");
            } catch (error) {
              f.saved = { error: true, text: error.message, snippet: error.snippet };
              redraw("unidentified", true);
              return "";
            }
          },
          "primary",
        ),
        h("button", { type: "button", onclick: () => (delete fixing[u.what], redraw("unidentified", true)) }, "Cancel"),
      ),
    );
  }

  function loginPanel(a) {
    const l = a.login;
    if (!l) return null;
    if (l.state === "starting") return h("div.login", {}, h("p", {}, "Asking Trakt for a code…"));
    if (l.state === "failed") return h("div.note.bad", {}, "Login failed: " + l.message);
    if (l.state === "done") return h("div.note", {}, "Logged in" + (l.user ? " as " + l.user : "") + ".");
    return h(
      "div.login",
      {},
      l.qr ? h("img", { src: l.qr, alt: "QR code of " + l.url }) : null,
      h(
        "div",
        {},
        h("p", {}, "On your phone or computer open ", h("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, l.url.replace(/^https?:\/\//, "")), " and enter:"),
        h("p.code", { "data-code": l.userCode }, l.userCode),
        h("p.muted.small", {}, "Waiting for your approval… the code expires " + inTime(l.expiresAt) + "."),
        h("div.actions", {}, actionButton("Cancel", () => post("/api/accounts/cancel", { account: a.account }).then(() => ""))),
      ),
    );
  }

  function drawAccounts(s) {
    section(
      "accounts",
      undefined,
      s.accounts.map((a) => {
        const [label, cls] = ACCOUNT_STATE[a.state] || [a.state, "info"];
        const waiting = a.login && (a.login.state === "starting" || a.login.state === "waiting");
        const facts = [];
        if (a.user) facts.push(["Trakt user", a.user]);
        if (a.expiresAt && a.state !== "needs_login") facts.push(["Token", "renewed automatically; current one expires " + inTime(a.expiresAt)]);
        facts.push(["Players", a.players.length ? a.players.join(", ") : "none routed here"]);
        if (a.reason && a.state !== "ok") facts.push(["Why", a.reason]);
        return h(
          "div.account",
          { "data-account": a.account },
          h("div.row", {}, h("h3", {}, a.account, a.isDefault ? h("span.muted.small", {}, " · default") : null), h("span.badge." + cls, {}, label)),
          h("dl.facts", {}, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
          loginPanel(a),
          waiting
            ? null
            : h(
                "div.actions",
                {},
                actionButton(a.state === "ok" || a.state === "refresh_due" ? "Log in again" : "Log in", () => post("/api/accounts/login", { account: a.account }).then(() => ""), a.state === "ok" ? "" : "primary"),
                a.state !== "needs_login"
                  ? actionButton(
                      "Log out",
                      async () => {
                        if (!confirm("Log out " + a.account + "? Watches wait until it logs in again.")) return "";
                        await post("/api/accounts/logout", { account: a.account });
                        return "Logged out " + a.account;
                      },
                      "danger",
                    )
                  : null,
              ),
        );
      }),
    );
  }

  function drawHealth(s) {
    const ready = s.ready.ready;
    const adapters = s.health.adapters.length
      ? h(
          "ul.list",
          {},
          s.health.adapters.map((a) => {
            const [label, cls] = ADAPTER_STATE[a.state] || [a.state, "info"];
            return h("li", {}, h("div.row", {}, h("div", {}, h("div.title", {}, a.name), a.detail ? h("div.meta", {}, a.detail) : null), h("span.badge." + cls, {}, label)));
          }),
        )
      : h("p.empty", {}, "No player is configured.");
    section("health", undefined, [
      h("div.row", {}, h("h3", {}, ready ? "Ready" : "Not ready"), h("span.badge." + (ready ? "ok" : "bad"), {}, ready ? "all good" : s.ready.reasons.length + " problem" + (s.ready.reasons.length > 1 ? "s" : ""))),
      ready ? null : h("ul.small", {}, s.ready.reasons.map((r) => h("li", {}, r))),
      h(
        "dl.facts",
        {},
        h("dt", {}, "Version"),
        h("dd", {}, s.version),
        h("dt", {}, "Running for"),
        h("dd", {}, uptime(s.health.startedAt)),
        h("dt", {}, "Outbox"),
        h("dd", {}, s.health.pending + " waiting, " + s.health.deadLetters + " not sendable"),
        s.health.configFile ? [h("dt", {}, "Config"), h("dd", {}, s.health.configFile)] : null,
      ),
      h("h3.gap", {}, "Players"),
      adapters,
    ]);
    drawChecks();
  }

  function drawChecks() {
    const mark = { pass: ["ok", "ok"], warn: ["warn", "warn"], fail: ["fail", "bad"], skip: ["skip", "info"] };
    const run = h("button", { type: "button", disabled: checks === "running", onclick: runChecks }, checks === "running" ? "Checking…" : checks ? "Check again" : "Run the checks");
    const list =
      checks && checks !== "running"
        ? h(
            "ul.checks",
            {},
            checks.map((c) =>
              h("li", { "data-check": c.check }, h("span.badge." + mark[c.status][1], {}, mark[c.status][0]), h("span", {}, h("strong", {}, c.check), " — " + c.message), c.hint && c.status !== "pass" ? h("span.hint", {}, "→ " + c.hint) : null),
            ),
          )
        : null;
    $("checks").replaceChildren(h("div.row", {}, h("h3", {}, "Checks"), run), h("p.muted.small", {}, "The same checks as trakt-scrobblerd doctor: config, Trakt, tokens, players."), list || "");
  }

  async function runChecks() {
    checks = "running";
    drawChecks();
    try {
      const res = await fetch("/api/doctor");
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || "checks failed");
      checks = body;
    } catch (error) {
      checks = null;
      toast(error.message);
    }
    drawChecks();
  }

  const SECTIONS = {
    attention: (s) => [s.accounts, s.unidentified, s.queue.dead, s.health.adapters],
    nav: (s) => [s.playing.length, s.unidentified.length, s.recent.length, s.queue, s.accounts, s.ready],
    playing: (s) => s.playing,
    recent: (s) => s.recent,
    unidentified: (s) => s.unidentified,
    queue: (s) => s.queue,
    accounts: (s) => s.accounts,
    health: (s) => [s.ready, s.health, s.version],
  };
  const DRAW = { attention: drawAttention, nav: drawNav, playing: drawPlaying, recent: drawRecent, unidentified: drawUnidentified, queue: drawQueue, accounts: drawAccounts, health: drawHealth };

  /** Draws a section again when its part of the state changed (or when forced: a form of it changed). */
  function redraw(id, force) {
    if (!state) return;
    const key = JSON.stringify(SECTIONS[id](state));
    if (!force && drawn[id] === key) return;
    drawn[id] = key;
    DRAW[id](state);
  }

  function render(next) {
    state = next;
    $("signout").hidden = !state.passwordProtected;
    for (const id of Object.keys(SECTIONS)) redraw(id, false);
  }

  // ---- live updates -----------------------------------------------------------------------------------------
  function connect() {
    const live = $("live");
    const events = new EventSource("/api/events");
    events.addEventListener("state", (e) => {
      live.textContent = "live";
      live.className = "live on";
      render(JSON.parse(e.data));
    });
    events.addEventListener("error", () => {
      live.textContent = "reconnecting…";
      live.className = "live off";
      if (events.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
      // Refused (not a network error): signed out, or the daemon restarted with another password.
      fetch("/api/state").then(
        (res) => (res.status === 401 ? location.reload() : setTimeout(connect, 5000)),
        () => setTimeout(connect, 5000),
      );
    });
  }

  $("signout").addEventListener("click", async () => {
    await fetch("/api/session", { method: "DELETE" });
    location.reload();
  });
  connect();
})();
