// `trakt-scrobblerd notify test` (the real CLI) and the doctor's look at each target, against local receivers.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkNotify } from "../../src/doctor/notify.js";
import { notifySection } from "../../src/config/sections/notify.js";
import { defaultConfig } from "../../src/config/schema.js";
import { runCli, writeConfig } from "../support/daemon.js";
import { startDiscord, startGotify, startHomeAssistant, startNtfy, startTelegram, type Receiver } from "./receivers.js";

const receivers: Receiver[] = [];
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tsd-notify-cli-"));
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await rm(root, { recursive: true, force: true });
});

async function keep<R extends Receiver>(started: Promise<R>): Promise<R> {
  const r = await started;
  receivers.push(r);
  return r;
}

describe("notify test", () => {
  it("sends a test message to each target now and says how each answered, tokens masked", async () => {
    const ntfy = await keep(startNtfy());
    const discord = await keep(startDiscord({ id: "7", token: "right-token-abcdefghijklmnopqrstuv" }));
    const configFile = join(root, "config.yaml");
    await writeConfig(configFile, {
      server: { publicUrl: "https://scrobbler.home.example" },
      notify: {
        urls: [`ntfy+${ntfy.url}/test-topic-0123456789`],
        targets: [{ url: `discord+${discord.url}/api/webhooks/7/wrong-token-abcdefghijklmnopqrstuv`, name: "discord" }],
      },
    });
    const run = runCli(["--config", configFile, "notify", "test"], { TRAKT_SCROBBLERD_STATE_DIR: join(root, "state") });
    const exit = await run.exited;
    const out = run.logs.map((l) => l.msg).join("\n");
    expect(exit.code).toBe(1);
    expect(out).toContain(`sent   ntfy 127.0.0.1:${new URL(ntfy.url).port} (${ntfy.url}/********): sent (HTTP 200)`);
    expect(out).toContain(`FAILED discord (${discord.url}/api/webhooks/7/********): HTTP 401: Invalid Webhook Token`);
    expect(out).not.toContain("wrong-token-abcdefghijklmnopqrstuv");
    expect(out).not.toContain("test-topic-0123456789");
    expect(ntfy.accepted[0]?.body).toMatchObject({ topic: "test-topic-0123456789", title: "trakt-scrobblerd test notification", click: "https://scrobbler.home.example" });

    const one = runCli(["--config", configFile, "notify", "test", "--target", "nope"], { TRAKT_SCROBBLERD_STATE_DIR: join(root, "state") });
    expect((await one.exited).code).toBe(1);
  }, 60_000);
});

describe("doctor", () => {
  it("looks at each target without sending anything, and shows it masked", async () => {
    const ntfy = await keep(startNtfy());
    const gotify = await keep(startGotify("gotify-app-token-0123"));
    const discord = await keep(startDiscord({ id: "7", token: "right-token-abcdefghijklmnopqrstuv" }));
    const telegram = await keep(startTelegram({ token: "42:telegram-token-abcdefghij", chatId: 5 }));
    const ha = await keep(startHomeAssistant(["hook-0123456789abcdef"]));
    const config = defaultConfig();
    config.notify = notifySection.parse({
      urls: [
        `ntfy+${ntfy.url}/doctor-topic-0123456789`,
        `gotify+${gotify.url}/message?token=gotify-app-token-0123`,
        `discord+${discord.url}/api/webhooks/7/right-token-abcdefghijklmnopqrstuv`,
        `telegram+${telegram.url}/bot42:wrong-telegram-token-xxxxx/sendMessage?chat_id=5`,
        `${ha.url}/api/webhook/hook-0123456789abcdef`,
      ],
    });
    const results = await checkNotify(config, 5_000);
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ["pass", `${ntfy.url}/********: reachable (HTTP 200); events: needs_login, dead_letter, not_identified, outbox_stuck, adapter_down`],
      ["pass", `${gotify.url}/message?token=********: reachable (HTTP 200); events: needs_login, dead_letter, not_identified, outbox_stuck, adapter_down`],
      ["pass", `${discord.url}/api/webhooks/7/********: reachable (HTTP 200); events: needs_login, dead_letter, not_identified, outbox_stuck, adapter_down`],
      ["warn", `${telegram.url}/bot********/sendMessage?chat_id=5: HTTP 401: the bot token is wrong`],
      ["pass", `${ha.url}/api/webhook/********: the server answers (HTTP 404); the webhook itself is only checked by sending: \`notify test\`; events: needs_login, dead_letter, not_identified, outbox_stuck, adapter_down`],
    ]);
    // Nothing was sent, only looked at.
    for (const r of [ntfy, gotify, discord, telegram, ha]) expect(r.received.filter((q) => q.method === "POST")).toEqual([]);
    expect(await checkNotify(defaultConfig(), 1_000)).toEqual([{ check: "notifications", status: "skip", message: "no target configured (notify.urls, notify.targets)" }]);
  });
});
