import { readFileSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { PlexAdapter, type PlexSettings } from "../../../src/players/plex/adapter.js";
import { createPlexWebhookHandler } from "../../../src/players/plex/webhook.js";
import { silentLogger } from "../../../src/util/log.js";
import { fixturePath } from "../../support/fixtures.js";

export const FIXTURES = fixturePath("plex");

/** Every webhook payload in the shared fixtures (the websocket notification captures are not webhooks). */
export function webhookFixtures(): { file: string; payload: Record<string, unknown> }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json") && !f.startsWith("websocket."))
    .map((file) => ({ file, payload: JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Record<string, unknown> }));
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>;
}

/** A tiny JPEG-looking blob; Plex attaches the poster as a file part named `thumb`. */
export function thumb(bytes = 2048): Blob {
  const data = new Uint8Array(bytes);
  data.set([0xff, 0xd8, 0xff, 0xe0]);
  return new Blob([data], { type: "image/jpeg" });
}

export function multipart(payload: unknown, withThumb = false): FormData {
  const form = new FormData();
  form.set("payload", JSON.stringify(payload));
  if (withThumb) form.set("thumb", thumb(), "thumb.jpg");
  return form;
}

export const SECRET = "s3cret-webhook-token-0123456789";

export interface PlexHarness {
  url: string;
  events: PlaybackEvent[];
  adapter: PlexAdapter;
  server: Server;
  clock: { now: number };
  close(): Promise<void>;
}

export async function startPlexHarness(
  settings: Partial<PlexSettings> = {},
  options: { maxBodyBytes?: number; allowFrom?: string[]; secret?: string | undefined } = {},
): Promise<PlexHarness> {
  const events: PlaybackEvent[] = [];
  const clock = { now: Date.parse("2026-11-27T20:00:00Z") };
  const adapter = new PlexAdapter(
    { users: {}, players: [], webhookServers: [], defaultAccount: "default", ...settings },
    { emit: (e) => events.push(e), now: () => clock.now },
    silentLogger(),
  );
  await adapter.start(new AbortController().signal);
  const handler = createPlexWebhookHandler({
    secret: "secret" in options ? options.secret : SECRET,
    maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024,
    allowFrom: options.allowFrom ?? [],
    onPayload: (payload) => adapter.accept(payload),
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/plex/${SECRET}`,
    events,
    adapter,
    server,
    clock,
    close: async () => {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
