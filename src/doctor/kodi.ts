// Kodi: open its JSON-RPC WebSocket and ask JSONRPC.Ping, once, with a deadline.
import WebSocket from "ws";
import { KODI_MAX_MESSAGE_BYTES } from "../players/kodi/client.js";
import { parseUntrustedJson } from "../util/json.js";
import { maskUrlCredentials } from "../util/url-credentials.js";
import { networkFailure } from "./trakt.js";
import { classifyNetworkError, result, type CheckResult } from "./types.js";

const ENABLE_HINT =
  "In Kodi: Settings → Services → Control → enable 'Allow remote control from applications on this system' (and '… on other systems' when the daemon runs elsewhere); the WebSocket port is 9090 unless changed in advancedsettings.xml. Or set kodi.enabled: false if you do not use Kodi";

type Outcome = { ok: true } | { ok: false; kind: "network"; error: Error } | { ok: false; kind: "http"; status: number } | { ok: false; kind: "protocol"; detail: string } | { ok: false; kind: "timeout" };

function ping(url: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: KODI_MAX_MESSAGE_BYTES });
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners("message");
      // Kodi answers a clean close with a malformed frame; terminate and swallow whatever follows.
      socket.on("error", () => undefined);
      socket.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, kind: "timeout" }), timeoutMs);
    socket.on("open", () => socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "JSONRPC.Ping" })));
    socket.on("message", (data: WebSocket.RawData) => {
      let reply: { id?: unknown; result?: unknown; error?: { message?: unknown } };
      try {
        reply = parseUntrustedJson(Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data as Buffer[]).toString("utf8")) as typeof reply;
      } catch {
        return finish({ ok: false, kind: "protocol", detail: "it answered something that is not JSON (or absurdly nested)" });
      }
      if (reply.id !== 1) return; // a notification; wait for our answer
      if (reply.result === "pong") return finish({ ok: true });
      finish({ ok: false, kind: "protocol", detail: `JSONRPC.Ping answered ${JSON.stringify(reply.error?.message ?? reply.result)}` });
    });
    socket.on("unexpected-response", (_req, res) => finish({ ok: false, kind: "http", status: res.statusCode ?? 0 }));
    socket.on("error", (error) => finish({ ok: false, kind: "network", error }));
    socket.on("close", () => finish({ ok: false, kind: "protocol", detail: "it closed the connection without answering" }));
  });
}

export async function checkKodi(instance: { name: string; url: string }, timeoutMs = 5_000): Promise<CheckResult> {
  const check = `kodi ${instance.name}`;
  const outcome = await ping(instance.url, timeoutMs);
  const url = maskUrlCredentials(instance.url); // shown: a password in the URL is masked
  if (outcome.ok) return result(check, "pass", `${url} answers JSONRPC.Ping`);
  switch (outcome.kind) {
    case "network": {
      const failure = networkFailure(check, "Kodi", url, outcome.error, timeoutMs);
      return result(check, "fail", failure.message, classifyNetworkError(outcome.error) === "refused" ? `Is Kodi running? ${ENABLE_HINT}` : failure.hint);
    }
    case "http":
      return result(check, "fail", `${url} answers HTTP ${outcome.status}, not Kodi's WebSocket`, "use ws://<host>:9090/jsonrpc — 8080 is the web interface, not the JSON-RPC WebSocket");
    case "timeout":
      return result(check, "fail", `no answer from ${url} within ${timeoutMs} ms`, `a firewall may drop the connection, or Kodi is busy. ${ENABLE_HINT}`);
    case "protocol":
      return result(check, "fail", `${url} is not Kodi's JSON-RPC: ${outcome.detail}`, "check the URL: ws://<host>:9090/jsonrpc");
  }
}
