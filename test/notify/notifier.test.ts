// The notifier against local receivers that answer like ntfy, Gotify, Discord, Telegram and Home Assistant: the
// right events reach each in the shape its API takes, an outage is one message, a failing target is retried with
// backoff (or when the service says) and bounded, and no secret reaches a log line or the status.
import { afterEach, describe, expect, it } from "vitest";
import { notifySection, type NotifySection } from "../../src/config/sections/notify.js";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { Notifier, type NotifierOptions } from "../../src/notify/notifier.js";
import type { HeldWatch } from "../../src/notify/watchdogs.js";
import { createLogger } from "../../src/util/log.js";
import { ManualClock } from "./manual-clock.js";
import { startDiscord, startGotify, startHomeAssistant, startNtfy, startTelegram, type Receiver } from "./receivers.js";

const DASHBOARD = "http://pi.local:7788";
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver<R extends Receiver>(started: Promise<R>): Promise<R> {
  const r = await started;
  cleanups.push(() => r.close());
  return r;
}

interface Harness {
  activity: Activity;
  notifier: Notifier;
  clock: ManualClock;
  logs: string[];
  held: { watch: HeldWatch | undefined };
  /** Moves the clock on and waits for every send it started. */
  advance(ms: number): Promise<void>;
  report(event: ActivityEvent): void;
}

function harness(section: Partial<NotifySection>, current?: NotifierOptions["current"], start?: (clock: ManualClock, held: { watch: HeldWatch | undefined }) => void): Harness {
  const clock = new ManualClock();
  const activity = new Activity();
  const logs: string[] = [];
  const log = createLogger({ level: "debug", pretty: false, destination: { write: (line: string) => void logs.push(line) } });
  const held: { watch: HeldWatch | undefined } = { watch: undefined };
  start?.(clock, held);
  const notifier = new Notifier(notifySection.parse(section), { activity, log, clock, dashboardUrl: () => DASHBOARD, oldestWatch: () => held.watch, ...(current ? { current } : {}) });
  cleanups.push(() => notifier.stop());
  return {
    activity,
    notifier,
    clock,
    logs,
    held,
    report: (event) => activity.report(event),
    advance: async (ms) => {
      clock.advance(ms);
      await notifier.idle();
    },
  };
}

const T = (clock: ManualClock): number => clock.now();

function needsLogin(at: number, account = "default"): ActivityEvent[] {
  return [
    { type: "account", at, account, state: "ok" },
    { type: "account", at, account, state: "needs_login", reason: "Trakt refused the refresh token (invalid_grant)" },
  ];
}

function deadLetter(at: number, n: number): ActivityEvent {
  return { type: "dead_letter", at, id: `id-${n}`, account: "default", label: `Movie ${n} (2001)`, reason: "not_found", message: "Trakt does not know this item (404)" };
}

describe("each target type gets the right events in its API's shape", () => {
  it("ntfy: a login Trakt refused, published as JSON to the root URL with topic, priority, tags, click and the Bearer token", async () => {
    const ntfy = await receiver(startNtfy({ token: "tk_abcdefghijklmnopqrstuvwxyz012" }));
    const h = harness({ targets: [{ url: `ntfy+${ntfy.url}/trakt-alerts`, token: "tk_abcdefghijklmnopqrstuvwxyz012" }] });
    for (const e of needsLogin(T(h.clock))) h.report(e);
    expect(ntfy.received).toEqual([]); // coalescing: nothing before the window closes
    await h.advance(20_000);
    expect(ntfy.accepted).toHaveLength(1);
    const [sent] = ntfy.accepted;
    expect(sent?.path).toBe("/");
    expect(sent?.headers.authorization).toBe("Bearer tk_abcdefghijklmnopqrstuvwxyz012");
    expect(sent?.body).toMatchObject({
      topic: "trakt-alerts",
      title: 'Trakt account "default" needs a new login',
      message: expect.stringContaining("trakt-scrobblerd login") as string,
      priority: 4,
      tags: ["key"],
      click: `${DASHBOARD}/#accounts`,
    });
    expect(h.notifier.status().targets[0]).toMatchObject({ sent: 1, lastResult: { ok: true, notices: 1 } });
  });

  it("ntfy refuses a publish without the token (403 forbidden): dropped, not retried, said in the status", async () => {
    const ntfy = await receiver(startNtfy({ token: "tk_abcdefghijklmnopqrstuvwxyz012" }));
    const h = harness({ urls: [`ntfy+${ntfy.url}/trakt-alerts`] });
    for (const e of needsLogin(T(h.clock))) h.report(e);
    await h.advance(20_000);
    expect(ntfy.received).toHaveLength(1);
    expect(h.notifier.status().targets[0]).toMatchObject({ sent: 0, failed: 1, dropped: 1, lastResult: { ok: false, error: "HTTP 403: forbidden" } });
    expect(h.clock.pending).toBe(0);
  });

  it("Gotify: a dead letter, with the app token, priority and the click URL in extras", async () => {
    const gotify = await receiver(startGotify("AbCdEf.123456"));
    const h = harness({ urls: [`${gotify.url}/message?token=AbCdEf.123456`] });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    expect(gotify.accepted).toHaveLength(1);
    expect(gotify.accepted[0]?.body).toEqual({
      title: "Trakt refused Movie 1 (2001)",
      message: expect.stringContaining("Trakt does not know this item (404)") as string,
      priority: 5,
      extras: { "client::notification": { click: { url: `${DASHBOARD}/#queue` } } },
    });
  });

  it("Gotify with a wrong token: Gotify's 401 description is what the status shows", async () => {
    const gotify = await receiver(startGotify("AbCdEf.123456"));
    const h = harness({ targets: [{ url: `${gotify.url}/message`, type: "gotify", token: "wrong-token-0000" }] });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    expect(h.notifier.status().targets[0]?.lastResult?.error).toBe("HTTP 401: you need to provide a valid access token or user credentials to access this api");
  });

  it("Discord: an item not identified, once per item, as an embed linking to the fix, mentions off", async () => {
    const discord = await receiver(startDiscord({ id: "112233445566778899", token: "discord-webhook-token-abcdefghijklmnop" }));
    const h = harness({ urls: [`discord+${discord.url}/api/webhooks/112233445566778899/discord-webhook-token-abcdefghijklmnop`] });
    const miss: ActivityEvent = { type: "not_identified", at: T(h.clock), key: "k1", what: "/media/home/birthday.mkv", reason: "not scrobbled: could not identify it." };
    h.report(miss);
    h.report({ ...miss, at: T(h.clock) + 1 }); // the same item again (its next intent)
    await h.advance(20_000);
    h.report({ ...miss, at: T(h.clock) }); // and later again
    await h.advance(120_000);
    expect(discord.accepted).toHaveLength(1);
    const sent = discord.accepted[0];
    expect(sent?.query.get("wait")).toBe("true");
    expect(sent?.body).toMatchObject({
      username: "trakt-scrobblerd",
      allowed_mentions: { parse: [] },
      embeds: [{ title: "Could not identify /media/home/birthday.mkv", url: `${DASHBOARD}/#not-identified`, description: expect.stringContaining("Fix the match in the dashboard") as string }],
    });
  });

  it("Telegram: a watch held in the outbox longer than outboxStuckMinutes, as valid HTML with a link", async () => {
    const telegram = await receiver(startTelegram({ token: "123456:AAE-telegram-bot-token-xyz", chatId: -1001234 }));
    const h = harness({ urls: [`telegram+${telegram.url}/bot123456:AAE-telegram-bot-token-xyz/sendMessage?chat_id=-1001234`], outboxStuckMinutes: 60 });
    h.held.watch = { id: "w1", queuedAt: T(h.clock), label: "Dune <Part Two> & more (2024)", account: "default" };
    h.report({ type: "queue", at: T(h.clock), pending: 1, deadLetters: 0 });
    h.report({ type: "queue", at: T(h.clock), pending: 2, deadLetters: 0 });
    expect(h.clock.pending).toBe(1); // one timer for the oldest watch, not one per change
    await h.advance(59 * 60_000);
    expect(telegram.received).toEqual([]);
    await h.advance(60_000 + 20_000);
    expect(telegram.accepted).toHaveLength(1);
    const body = telegram.accepted[0]?.body as { chat_id: unknown; text: string; parse_mode: string };
    expect(body.chat_id).toBe(-1001234);
    expect(body.parse_mode).toBe("HTML");
    expect(body.text).toContain("<b>A watch has waited 1 h to reach Trakt</b>");
    expect(body.text).toContain("Dune &lt;Part Two&gt; &amp; more (2024)");
    expect(body.text).toContain(`<a href="${DASHBOARD}/#queue">`);
    // said once while the outbox stays full; again only after it has emptied
    await h.advance(5 * 3_600_000);
    expect(telegram.accepted).toHaveLength(1);
    h.report({ type: "queue", at: T(h.clock), pending: 0, deadLetters: 0 });
    expect(h.clock.pending).toBe(0);
  });

  it("Telegram's {\"ok\":false} answers: flood control is retried after parameters.retry_after, 'chat not found' is not retried", async () => {
    const telegram = await receiver(startTelegram({ token: "123456:AAE-telegram-bot-token-xyz", chatId: 77, flood: { times: 1, retryAfter: 7 } }));
    const h = harness({ urls: [`telegram+${telegram.url}/bot123456:AAE-telegram-bot-token-xyz/sendMessage?chat_id=77`, `telegram+${telegram.url}/bot123456:AAE-telegram-bot-token-xyz/sendMessage?chat_id=78`] });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    const [good, wrongChat] = h.notifier.status().targets;
    expect(wrongChat).toMatchObject({ failed: 1, dropped: 1, lastResult: { ok: false, error: "HTTP 400: Bad Request: chat not found" } });
    expect(good).toMatchObject({ failed: 1, queued: 1, lastResult: { ok: false, error: "HTTP 429: Too Many Requests: retry after 7" } });
    await h.advance(6_900);
    expect(telegram.accepted).toHaveLength(0);
    await h.advance(200);
    expect(telegram.accepted).toHaveLength(1);
    expect(h.notifier.status().targets[0]).toMatchObject({ sent: 1, queued: 0, lastResult: { ok: true } });
  });

  it("Home Assistant: every recorded watch, for a target that chose `watched`, as trigger.json", async () => {
    const ha = await receiver(startHomeAssistant(["trakt_scrobbler_hook_0123456789"]));
    const h = harness({ targets: [{ url: `${ha.url}/api/webhook/trakt_scrobbler_hook_0123456789`, events: ["watched"] }] });
    h.report({ type: "delivered", at: T(h.clock), id: "a", kind: "start", account: "default", label: "Heat (1995)", via: "scrobble", watched: false });
    h.report({ type: "delivered", at: T(h.clock), id: "b", kind: "stop", account: "default", label: "Heat (1995)", via: "scrobble", watched: true });
    h.report(deadLetter(T(h.clock), 3)); // not chosen
    await h.advance(20_000);
    expect(ha.triggers).toEqual([
      {
        id: "trakt_scrobbler_hook_0123456789",
        json: {
          source: "trakt-scrobblerd",
          title: "Recorded on Trakt: Heat (1995)",
          message: "Heat (1995) was recorded.",
          link: null,
          severity: "low",
          events: ["watched"],
          notices: [{ event: "watched", title: "Recorded on Trakt: Heat (1995)", text: "Heat (1995) was recorded.", link: null, at: new Date(T(h.clock) - 20_000).toISOString() }],
          dropped: 0,
        },
      },
    ]);
  });
});

describe("coalescing and rate limits", () => {
  it("an outage is one message per target, not a hundred: events in the window and until the next allowed send are gathered", async () => {
    const ntfy = await receiver(startNtfy());
    const discord = await receiver(startDiscord({ id: "1", token: "tok-abcdefghijklmnopqrstuvwxyz" }));
    const h = harness({ urls: [`${ntfy.url.replace("http://", "ntfy+http://")}/alerts-topic`, `discord+${discord.url}/api/webhooks/1/tok-abcdefghijklmnopqrstuvwxyz`] });
    for (const e of needsLogin(T(h.clock))) h.report(e);
    for (let i = 0; i < 100; i++) h.report(deadLetter(T(h.clock), i));
    await h.advance(20_000);
    expect(ntfy.accepted).toHaveLength(1);
    expect(discord.accepted).toHaveLength(1);
    const first = ntfy.accepted[0]?.body as { title: string; message: string; priority: number };
    // 101 notices, notify.maxQueued 100: one dead letter (the oldest of the least severe) is dropped and counted
    expect(first.title).toBe('Trakt account "default" needs a new login; 99 watches went to the dead letters');
    expect(first.priority).toBe(4);
    expect(first.message.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(25);
    expect(first.message).toContain("• Trakt refused Movie 1 (2001)");
    expect(first.message).not.toContain("Movie 0 (2001)");
    expect(first.message).toContain("… and 75 more");
    expect(first.message).toContain("(1 older notification was dropped to keep this target's queue bounded: notify.maxQueued.)");
    // More of the outage within minIntervalSeconds (60 s): one more message, when the minute is up.
    for (let i = 100; i < 150; i++) h.report(deadLetter(T(h.clock), i));
    await h.advance(30_000);
    expect(ntfy.accepted).toHaveLength(1);
    await h.advance(30_000);
    expect(ntfy.accepted).toHaveLength(2);
    expect((ntfy.accepted[1]?.body as { title: string }).title).toBe("50 watches went to the dead letters");
    expect(discord.accepted).toHaveLength(2);
  });

  it("Discord's 429: the retry waits retry_after from the body, then the message goes out", async () => {
    const discord = await receiver(startDiscord({ id: "9", token: "tok-abcdefghijklmnopqrstuvwxyz", rateLimited: { times: 1, retryAfter: 3.25 } }));
    const h = harness({ urls: [`discord+${discord.url}/api/webhooks/9/tok-abcdefghijklmnopqrstuvwxyz`] });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    expect(discord.received).toHaveLength(1);
    expect(h.clock.nextAt! - T(h.clock)).toBe(3_250);
    await h.advance(3_249);
    expect(discord.received).toHaveLength(1);
    await h.advance(1);
    expect(discord.accepted).toHaveLength(1);
  });

  it("Discord: a webhook that is gone (404) is not used again until the config changes", async () => {
    const discord = await receiver(startDiscord({ id: "9", token: "tok-abcdefghijklmnopqrstuvwxyz" }));
    const h = harness({ urls: [`discord+${discord.url}/api/webhooks/8/tok-abcdefghijklmnopqrstuvwxyz`] });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    h.report(deadLetter(T(h.clock), 2));
    await h.advance(3_600_000);
    expect(discord.received).toHaveLength(1);
    expect(h.notifier.status().targets[0]?.disabled).toMatch(/^HTTP 404: Unknown Webhook/);
  });

  it("a failing target is retried with backoff; its queue is bounded and says how many it dropped", async () => {
    const ntfy = await receiver(startNtfy());
    ntfy.mode = "fail";
    const h = harness({ urls: [`ntfy+${ntfy.url}/alerts-topic`], maxQueued: 5 });
    h.report(deadLetter(T(h.clock), 0));
    await h.advance(20_000);
    const attempts: number[] = [ntfy.received.length];
    let retryAt = h.clock.nextAt!;
    const waits: number[] = [];
    for (let i = 1; i <= 3; i++) {
      waits.push(retryAt - T(h.clock));
      await h.advance(retryAt - T(h.clock));
      attempts.push(ntfy.received.length);
      retryAt = h.clock.nextAt!;
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
    // 10 s, 20 s, 40 s, each with up to a fifth taken off by jitter
    expect(waits[0]).toBeGreaterThanOrEqual(8_000);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
    expect(waits[1]).toBeGreaterThanOrEqual(16_000);
    expect(waits[2]).toBeGreaterThanOrEqual(32_000);
    for (let i = 1; i <= 11; i++) h.report(deadLetter(T(h.clock), i));
    expect(h.notifier.status().targets[0]).toMatchObject({ queued: 5, dropped: 7 });
    ntfy.mode = "normal";
    await h.advance(h.clock.nextAt! - T(h.clock));
    expect(ntfy.accepted).toHaveLength(1);
    const body = ntfy.accepted[0]?.body as { title: string; message: string };
    expect(body.title).toBe("5 watches went to the dead letters");
    expect(body.message).toContain("(7 older notifications were dropped to keep this target's queue bounded: notify.maxQueued.)");
    expect(h.notifier.status().targets[0]).toMatchObject({ queued: 0, sent: 1, failed: 4, dropped: 7 });
  });

  it("a target that does not answer counts as failed after timeoutSeconds and is retried", async () => {
    const ntfy = await receiver(startNtfy());
    ntfy.mode = "hang";
    const h = harness({ urls: [`ntfy+${ntfy.url}/alerts-topic`], timeoutSeconds: 0.2 });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    expect(h.notifier.status().targets[0]).toMatchObject({ failed: 1, queued: 1, lastResult: { ok: false, error: "no answer within 0 s" } });
  });
});

describe("adapters and timers", () => {
  const kodi = (state: string, at: number): ActivityEvent => ({ type: "adapter", at, name: "living-room", kind: "kodi", state, detail: "ws://kodi:9090/jsonrpc (connect ECONNREFUSED)" });

  it("an adapter down longer than adapterDownMinutes is said once, and its return once; a short drop says nothing", async () => {
    const ntfy = await receiver(startNtfy());
    const h = harness({ urls: [`ntfy+${ntfy.url}/alerts-topic`], adapterDownMinutes: 30 });
    expect(h.clock.pending).toBe(0); // nothing armed while everything is up
    h.report(kodi("disconnected", T(h.clock)));
    await h.advance(10 * 60_000);
    h.report(kodi("connected", T(h.clock)));
    expect(h.clock.pending).toBe(0);
    await h.advance(3_600_000);
    expect(ntfy.received).toEqual([]);

    h.report(kodi("disconnected", T(h.clock)));
    h.report(kodi("disconnected", T(h.clock) + 1_000)); // still down: no second timer
    expect(h.clock.pending).toBe(1);
    await h.advance(30 * 60_000 + 20_000);
    expect((ntfy.accepted[0]?.body as { title: string }).title).toBe('kodi "living-room" has been unreachable for 30 min');
    expect((ntfy.accepted[0]?.body as { message: string }).message).toContain("connect ECONNREFUSED");
    await h.advance(60 * 60_000);
    h.report(kodi("connected", T(h.clock)));
    await h.advance(60_000);
    expect(ntfy.accepted.map((r) => (r.body as { title: string }).title)).toEqual(['kodi "living-room" has been unreachable for 30 min', 'kodi "living-room" is back']);
  });

  it("what stands when it starts counts: a watch left in the outbox by the last run, a player already down", async () => {
    const ntfy = await receiver(startNtfy());
    const h = harness(
      { urls: [`ntfy+${ntfy.url}/alerts-topic`], outboxStuckMinutes: 60, adapterDownMinutes: 30 },
      () => ({ pending: 1, deadLetters: 0, adapters: [{ name: "living-room", kind: "kodi", state: "disconnected", detail: "connect ECONNREFUSED" }, { name: "plex", kind: "plex", state: "connected" }] }),
      (clock, held) => (held.watch = { id: "w0", queuedAt: clock.now() - 50 * 60_000, label: "Heat (1995)", account: "default" }),
    );
    expect(h.notifier.armedWatchdogs).toBe(2);
    await h.advance(10 * 60_000 + 20_000);
    expect((ntfy.accepted[0]?.body as { title: string }).title).toBe("A watch has waited 1 h to reach Trakt");
    await h.advance(20 * 60_000 + 60_000);
    expect(ntfy.accepted.map((r) => (r.body as { title: string }).title)).toEqual(["A watch has waited 1 h to reach Trakt", 'kodi "living-room" has been unreachable for 30 min']);
  });

  it("an adapter removed from the config while down is not reported", async () => {
    const ntfy = await receiver(startNtfy());
    const h = harness({ urls: [`ntfy+${ntfy.url}/alerts-topic`], adapterDownMinutes: 1 });
    h.report(kodi("failed", T(h.clock)));
    h.report(kodi("stopped", T(h.clock)));
    await h.advance(3_600_000);
    expect(ntfy.received).toEqual([]);
  });
});

describe("secrets", () => {
  it("no token of any target reaches a log line or the status; the URLs are shown masked", async () => {
    const discord = await receiver(startDiscord({ id: "5", token: "discord-secret-token-abcdefghijklmnop" }));
    discord.mode = "fail";
    const telegram = await receiver(startTelegram({ token: "999:telegram-secret-token-abcdefgh", chatId: 5 }));
    telegram.mode = "fail";
    const gotify = await receiver(startGotify("gotify-secret-app-token"));
    gotify.mode = "fail";
    const ntfy = await receiver(startNtfy());
    ntfy.mode = "fail";
    const h = harness({
      urls: [
        `discord+${discord.url}/api/webhooks/5/discord-secret-token-abcdefghijklmnop`,
        `telegram+${telegram.url}/bot999:telegram-secret-token-abcdefgh/sendMessage?chat_id=5`,
        `${gotify.url}/message?token=gotify-secret-app-token`,
        `ntfy+${ntfy.url}/my-very-secret-topic-name`,
      ],
      targets: [{ url: `ntfy+${ntfy.url}/other-topic`, token: "tk_ntfysecrettoken0123456789abc" }],
    });
    h.report(deadLetter(T(h.clock), 1));
    await h.advance(20_000);
    const everything = `${h.logs.join("\n")}\n${JSON.stringify(h.notifier.status())}`;
    for (const secret of ["discord-secret-token-abcdefghijklmnop", "999:telegram-secret-token-abcdefgh", "gotify-secret-app-token", "my-very-secret-topic-name", "tk_ntfysecrettoken0123456789abc"]) {
      expect(everything).not.toContain(secret);
    }
    expect(h.notifier.status().targets.map((t) => t.url)).toEqual([
      `${discord.url}/api/webhooks/5/********`,
      `${telegram.url}/bot********/sendMessage?chat_id=5`,
      `${gotify.url}/message?token=********`,
      `${ntfy.url}/********`,
      `${ntfy.url}/********`,
    ]);
    expect(h.logs.join("\n")).toContain("notification not delivered; retrying later");
  });
});
