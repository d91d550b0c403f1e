import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KODI_MAX_MESSAGE_BYTES, KodiClient, KodiDisconnectedError, KodiRpcError, KodiTimeoutError, type KodiNotification } from "../../../src/players/kodi/client.js";
import { FakeKodi, Scenario, startSilentTcpServer } from "./fake-kodi.js";
import { captureLog, ioUntil } from "./support.js";

// Real sockets, fake time: only timers and Date are faked, so socket I/O still runs.
const FAKE: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] };

describe("KodiClient", () => {
  let fake: FakeKodi;
  let client: KodiClient | undefined;

  beforeEach(async () => {
    fake = await FakeKodi.start();
  });

  afterEach(async () => {
    await client?.stop();
    client = undefined;
    await fake.close();
    vi.useRealTimers();
  });

  function makeClient(log = captureLog("debug")) {
    const notifications: KodiNotification[] = [];
    let connected = 0;
    let disconnected = 0;
    const waiters: (() => void)[] = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    client = new KodiClient(
      fake.url,
      log.logger,
      {
        onConnected: () => {
          connected++;
          wake();
        },
        onDisconnected: () => {
          disconnected++;
          wake();
        },
        onNotification: (n) => {
          notifications.push(n);
          wake();
        },
      },
      { requestTimeoutMs: 5_000, heartbeatIntervalMs: 10_000, reconnectMinMs: 1_000, reconnectMaxMs: 30_000, connectTimeoutMs: 5_000 },
    );
    const until = (cond: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (cond()) resolve();
          else waiters.push(check);
        };
        check();
      });
    return {
      client,
      log,
      notifications,
      until,
      stats: () => ({ connected, disconnected }),
    };
  }

  it("matches answers to requests by id, whatever their order, and delivers notifications", async () => {
    const h = makeClient();
    fake.answering = false;
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    const ids: number[] = [];
    fake.on("request", (msg: { id: number }) => ids.push(msg.id));
    const a = h.client.request("Player.GetActivePlayers");
    const b = h.client.request("Player.GetItem", { playerid: 1, properties: ["title"] });
    await fake.waitForRequests("Player.GetItem");
    const scenario = new Scenario("library-movie-by-id");
    fake.send({ id: ids[1], jsonrpc: "2.0", result: scenario.result("Player.GetItem") });
    fake.send({ id: ids[0], jsonrpc: "2.0", result: scenario.result("Player.GetActivePlayers") });
    await expect(b).resolves.toMatchObject({ item: { uniqueid: { imdb: "tt1856101" } } });
    await expect(a).resolves.toEqual([{ playerid: 1, playertype: "internal", type: "video" }]);
    expect(new Set(ids).size).toBe(2);

    fake.send(scenario.notification("Player.OnPause"));
    await h.until(() => h.notifications.length === 1);
    expect(h.notifications[0]).toEqual({
      method: "Player.OnPause",
      data: { item: { id: 1, type: "movie" }, player: { playerid: 1, speed: 0 } },
      sender: "xbmc",
    });
  });

  it("turns a JSON-RPC error into KodiRpcError with Kodi's code", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    const error = await h.client.request("No.Such.Method").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KodiRpcError);
    expect(error).toMatchObject({ code: -32601, method: "No.Such.Method" });
  });

  it("fails a request Kodi does not answer with KodiTimeoutError and keeps the connection", async () => {
    vi.useFakeTimers(FAKE);
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    fake.answering = false;
    const pending = h.client.request("Player.GetActivePlayers").catch((e: unknown) => e);
    await fake.waitForRequests("Player.GetActivePlayers");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await pending).toBeInstanceOf(KodiTimeoutError);
    expect(h.client.state).toBe("connected");
    fake.answering = true;
    await expect(h.client.request("JSONRPC.Ping")).resolves.toBe("pong");
  });

  it("ignores malformed messages with a warning and keeps working", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    fake.send("this is not JSON {");
    fake.send("[1,2,3]");
    fake.send('{"jsonrpc":"2.0"}');
    fake.send('{"id":999,"jsonrpc":"2.0","result":"late"}');
    fake.send('{"jsonrpc":"2.0","method":"Player.OnStop","params":"garbage"}');
    await expect(h.client.request("JSONRPC.Ping")).resolves.toBe("pong");
    await h.until(() => h.notifications.length === 1);
    expect(h.notifications[0]).toEqual({ method: "Player.OnStop", data: null });
    const warnings = h.log.lines().filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toEqual([
      "Kodi sent a message that is not JSON; ignored",
      "Kodi sent a JSON value that is not an object; ignored",
      "Kodi sent a message that is neither an answer nor a notification; ignored",
    ]);
  });

  it("ignores an unsolicited error nested 20,000 levels deep (once a stack overflow in the log redaction)", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    const depth = 20_000;
    fake.send(`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error","data":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}}`);
    // Just under the limit: parsed and logged, the log line cut at its own depth bound.
    fake.send(`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error","data":${"[".repeat(60)}1${"]".repeat(60)}}}`);
    await expect(h.client.request("JSONRPC.Ping")).resolves.toBe("pong");
    const warnings = h.log.lines().filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      "Kodi sent a message nested deeper than 64 levels; ignored",
      "Kodi reported an error for a message it could not read",
    ]);
    expect(JSON.stringify(warnings[1])).toContain("[nested deeper than 16 levels]");
    expect(h.client.state).toBe("connected");
  });

  it("drops a message over KODI_MAX_MESSAGE_BYTES with the connection, says so, and reconnects", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    fake.send(JSON.stringify({ jsonrpc: "2.0", method: "Player.OnPlay", params: { data: { padding: "x".repeat(KODI_MAX_MESSAGE_BYTES) } } }));
    await h.until(() => h.stats().connected === 2);
    expect(h.notifications).toEqual([]);
    expect(h.log.lines().filter((l) => l.level === 40).map((l) => l.msg)).toContain("Kodi sent a message larger than 4 MiB; dropped it with the connection");
    await expect(h.client.request("JSONRPC.Ping")).resolves.toBe("pong");
  });

  it("a Kodi that accepts the socket but never answers: the heartbeat fails, the socket is dropped and re-opened", async () => {
    vi.useFakeTimers(FAKE);
    const h = makeClient();
    fake.answering = false;
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    await fake.waitForRequests("JSONRPC.Ping");
    await vi.advanceTimersByTimeAsync(5_000);
    await h.until(() => h.stats().disconnected === 1);
    // Backoff: the first retry comes within reconnectMinMs.
    await vi.advanceTimersByTimeAsync(1_000);
    await h.until(() => h.stats().connected === 2);
    expect(fake.connections).toBe(2);
    const lines = h.log.lines().map((l) => l.msg);
    expect(lines.filter((m) => m.startsWith("Kodi unavailable"))).toHaveLength(1);
    expect(lines.filter((m) => m === "Kodi is back")).toHaveLength(1);
  });

  it("a TCP peer that never completes the WebSocket handshake: retried with backoff, logged once", async () => {
    vi.useFakeTimers(FAKE);
    const silent = await startSilentTcpServer();
    const log = captureLog("debug");
    client = new KodiClient(`ws://127.0.0.1:${silent.port}/jsonrpc`, log.logger, {}, { connectTimeoutMs: 5_000, reconnectMinMs: 1_000, reconnectMaxMs: 4_000 });
    const failures = (): number => log.lines().filter((l) => /^Kodi (still )?unavailable/.test(l.msg)).length;
    try {
      client.start();
      const started = Date.now();
      // Step fake time a second at a time; before each step let a pending TCP connect reach the peer.
      while (failures() < 4 && Date.now() - started < 120_000) {
        await ioUntil(() => client!.state !== "connecting" || silent.connections() > failures(), "TCP connect");
        await vi.advanceTimersByTimeAsync(1_000);
      }
      expect(failures()).toBe(4);
      expect(silent.connections()).toBeGreaterThanOrEqual(4);
      // 4 handshake timeouts of 5 s plus growing backoff (0.8–1 s, 1.6–2 s, 3.2–4 s): at least 25.6 s of fake time.
      expect(Date.now() - started).toBeGreaterThanOrEqual(23_000);
      expect(client.state).not.toBe("connected");
      const warnings = log.lines().filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings).toEqual(["Kodi unavailable; retrying quietly"]);
      await expect(client.request("JSONRPC.Ping")).rejects.toBeInstanceOf(KodiDisconnectedError);
    } finally {
      await client.stop();
      await silent.close();
    }
  });

  it("survives Kodi 20's malformed close frame (WS_ERR_INVALID_UTF8) and reconnects", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    fake.dropAllLikeKodi();
    await h.until(() => h.stats().disconnected === 1);
    const socketErrors = h.log.lines().filter((l) => l.msg === "Kodi socket error");
    expect(socketErrors.map((l) => l.errorCode)).toContain("WS_ERR_INVALID_UTF8");
    await h.until(() => h.stats().connected === 2);
    await expect(h.client.request("JSONRPC.Ping")).resolves.toBe("pong");
  });

  it("stop() rejects pending requests and does not reconnect", async () => {
    const h = makeClient();
    h.client.start();
    await h.until(() => h.stats().connected === 1);
    fake.answering = false;
    const pending = h.client.request("Player.GetActivePlayers").catch((e: unknown) => e);
    await fake.waitForRequests("Player.GetActivePlayers");
    await h.client.stop();
    expect(await pending).toBeInstanceOf(KodiDisconnectedError);
    expect(h.client.state).toBe("stopped");
    expect(fake.connections).toBe(1);
    expect(h.stats().disconnected).toBe(0);
  });
});
