// The configured players, run by the daemon through the registry: which adapters start, restart or keep running on
// a reload, the webhook routing of a receiving player, and the registry's tie to the config schema.
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { HttpServer } from "../../src/daemon/http-server.js";
import { Players } from "../../src/daemon/players.js";
import { Supervisor } from "../../src/daemon/supervisor.js";
import { defaultConfig, type Config } from "../../src/config/schema.js";
import { configKeys } from "../../src/config/validate.js";
import { PLAYERS } from "../../src/players/registry.js";
import type { PlaybackEvent } from "../../src/core/playback.js";
import { silentLogger } from "../../src/util/log.js";
import { fixture, multipart } from "../players/plex/support.js";
import { captureLogger } from "../support/emulator.js";

const SECRET = "first-webhook-secret-0123";
let supervisor: Supervisor;
let server: HttpServer | undefined;

afterEach(async () => {
  await supervisor?.stopAll();
  await server?.close();
  server = undefined;
});

function config(edit: (c: Config) => void = () => undefined): Config {
  const c = defaultConfig();
  c.mpv.enabled = false;
  // Nothing listens there: the Kodi adapters keep retrying in the background, which is all this test needs.
  c.kodi.instances = [
    { name: "living-room", url: "ws://127.0.0.1:9/jsonrpc" },
    { name: "bedroom", url: "ws://127.0.0.1:9/jsonrpc" },
  ];
  c.plex.webhookSecret = SECRET;
  c.plex.defaultAccount = "default";
  edit(c);
  return c;
}

async function setUp(log = silentLogger()): Promise<{ players: Players; events: PlaybackEvent[]; url: string }> {
  supervisor = new Supervisor(log, { initialDelayMs: 60_000 });
  const events: PlaybackEvent[] = [];
  const players = new Players(supervisor, { emit: (e) => events.push(e), now: Date.now }, log, tmpdir());
  server = new HttpServer({ readiness: () => ({ ready: true, reasons: [] }), status: () => ({}), metrics: () => "", webhook: (path) => players.webhookFor(path) }, log);
  const { port } = await server.listen("127.0.0.1", 0);
  return { players, events, url: `http://127.0.0.1:${port}` };
}

/** A captured Plex webhook (a resume: a playback the adapter starts to follow). */
function postPlex(url: string, secret: string): Promise<Response> {
  return fetch(`${url}/plex/${secret}`, { method: "POST", body: multipart(fixture("episode.media.resume.plexagent-guidarray-tvdb-only.json")) });
}

describe("players run from the registry", () => {
  it("starts what the config asks for; a reload restarts only what changed and applies Plex settings live", async () => {
    const { players, events, url } = await setUp();
    expect(await players.apply(config())).toEqual({ started: ["living-room", "bedroom", "plex"], stopped: [] });
    expect(supervisor.status().map((s) => [s.name, s.kind])).toEqual([
      ["living-room", "kodi"],
      ["bedroom", "kodi"],
      ["plex", "plex"],
    ]);
    expect((await postPlex(url, SECRET)).status).toBe(200);
    expect(events).toHaveLength(1);

    // A moved Kodi restarts, the other keeps running; the Plex secret changes without a restart.
    const plexBefore = supervisor.get("plex");
    const next = config((c) => {
      c.kodi.instances[1]!.url = "ws://127.0.0.1:10/jsonrpc";
      c.plex.webhookSecret = "second-webhook-secret-4567";
    });
    expect(await players.apply(next)).toEqual({ started: ["bedroom"], stopped: ["bedroom"] });
    expect(supervisor.get("plex")).toBe(plexBefore);
    expect((await postPlex(url, SECRET)).status).toBe(403);
    expect((await postPlex(url, "second-webhook-secret-4567")).status).toBe(200);

    // Switched off: stopped, and its webhook says why it is refused.
    const off = await players.apply(config((c) => ((c.plex.enabled = false), (c.kodi.enabled = false))));
    expect({ started: off.started, stopped: off.stopped.sort() }).toEqual({ started: [], stopped: ["bedroom", "living-room", "plex"] });
    const refused = await postPlex(url, SECRET);
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("plex.enabled");
    expect((await fetch(`${url}/nothing`, { method: "POST" })).status).toBe(404);
  });

  it("two adapters with one name: the second is not started, and the log says what to rename", async () => {
    const { logger, lines } = captureLogger();
    const { players } = await setUp(logger);
    const { started } = await players.apply(config((c) => (c.kodi.instances = [{ name: "plex", url: "ws://127.0.0.1:9/jsonrpc" }])));
    expect(started).toEqual(["plex"]);
    expect(supervisor.status().map((s) => s.kind)).toEqual(["kodi"]);
    expect(lines.join("")).toContain('two adapters are named \\"plex\\"');
  });

  it("every registered player is a config section with an `enabled` switch", () => {
    const sections = new Map(configKeys().children.map((k) => [k.name, k]));
    for (const kind of Object.keys(PLAYERS)) {
      expect(sections.get(kind)?.children.map((c) => c.name), kind).toContain(`${kind}.enabled`);
    }
  });
});
