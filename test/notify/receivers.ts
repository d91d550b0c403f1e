// Local stand-ins for the notification services, on 127.0.0.1 and port 0. Each accepts what the service's real API
// accepts and refuses what it refuses, answering in the service's own shapes:
//   ntfy     — docs.ntfy.sh/publish (#publish-as-json: POST to the root URL, `topic` required and matching
//              ^[-_A-Za-z0-9]{1,64}$, priority 1–5); server/errors.go ({"code","http","error","link"}; 40101
//              unauthorized, 40301 forbidden, 42901 too many requests); GET /v1/health → {"healthy":true}
//   Gotify   — gotify/server router.go, api/message.go, auth/authentication.go: POST /message with ?token=,
//              X-Gotify-Key or Bearer; `message` required; errors {"error","errorCode","errorDescription"}
//   Discord  — discord-api-docs resources/webhook.md (Execute Webhook: one of content/embeds, content ≤ 2000,
//              ≤ 10 embeds, title ≤ 256, description ≤ 4096; ?wait=true returns the message, else 204),
//              topics/rate-limits.md (429 with Retry-After and {"message","retry_after","global"}); an unknown
//              webhook is 404 {"message":"Unknown Webhook","code":10015}, a wrong token 401 {"code":50027}
//   Telegram — core.telegram.org/bots/api (#making-requests: {"ok":false,"error_code","description",
//              "parameters":{"retry_after"}}; sendMessage: chat_id, text 1–4096, parse_mode HTML with <b>, <a href>)
//   Home Assistant — components/webhook: POST /api/webhook/<id>, 200 with an empty body whatever happens
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
  at: number;
}

export type Mode = "normal" | "hang" | "fail";

export class Receiver {
  readonly received: Received[] = [];
  /** Requests answered with a success. */
  readonly accepted: Received[] = [];
  mode: Mode = "normal";
  /** Requests currently held open by "hang". */
  hanging = 0;
  readonly #waiters = new Set<() => void>();
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(handle: (req: Received, res: ServerResponse, receiver: Receiver) => void): Promise<Receiver> {
    const holder: { receiver?: Receiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r = holder.receiver!;
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        if ((req.headers["content-type"] ?? "").includes("application/json")) {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            body = { unparsable: text };
          }
        }
        const url = new URL(req.url ?? "/", "http://x");
        const received: Received = { method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body, at: Date.now() };
        r.received.push(received);
        if (r.mode === "hang") {
          r.hanging += 1;
          res.once("close", () => (r.hanging -= 1));
          r.#wake();
          return;
        }
        if (r.mode === "fail") {
          res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
          r.#wake();
          return;
        }
        const end = res.end.bind(res);
        res.end = ((...args: Parameters<typeof res.end>) => {
          if (res.statusCode >= 200 && res.statusCode < 300) r.accepted.push(received);
          const out = end(...args);
          r.#wake();
          return out;
        }) as typeof res.end;
        handle(received, res, r);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    holder.receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.receiver;
  }

  /** Resolves once `cond` holds (checked after every request), or rejects after `timeoutMs`. */
  until(cond: (r: Receiver) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${what} did not happen; received ${JSON.stringify(this.received.map((r) => [r.method, r.path]))}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(`${JSON.stringify(body)}\n`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// ntfy ---------------------------------------------------------------------------------------------------------

export interface NtfyOptions {
  /** When set, publishing needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Answer the next N publishes with 429 (the visitor's request bucket is empty). */
  limited?: number;
}

export async function startNtfy(options: NtfyOptions = {}): Promise<Receiver & { options: NtfyOptions }> {
  const receiver = await Receiver.start((req, res) => {
    if (req.method === "GET" && req.path === "/v1/health") return json(res, 200, { healthy: true });
    if ((req.method !== "POST" && req.method !== "PUT") || req.path !== "/") return json(res, 404, { code: 40401, http: 404, error: "page not found" });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return req.headers.authorization === undefined
        ? json(res, 403, { code: 40301, http: 403, error: "forbidden", link: "https://ntfy.sh/docs/publish/#authentication" })
        : json(res, 401, { code: 40101, http: 401, error: "unauthorized", link: "https://ntfy.sh/docs/publish/#authentication" });
    }
    if (options.limited) {
      options.limited -= 1;
      return json(res, 429, { code: 42901, http: 429, error: "limit reached: too many requests", link: "https://ntfy.sh/docs/publish/#limitations" });
    }
    const m = req.body;
    if (!isRecord(m)) return json(res, 400, { code: 40024, http: 400, error: "invalid request: request body must be valid JSON" });
    if (typeof m.topic !== "string" || !/^[-_A-Za-z0-9]{1,64}$/.test(m.topic)) return json(res, 400, { code: 40009, http: 400, error: "invalid request: topic invalid" });
    if (m.priority !== undefined && (typeof m.priority !== "number" || m.priority < 1 || m.priority > 5)) return json(res, 400, { code: 40007, http: 400, error: "invalid request: priority invalid" });
    if (m.tags !== undefined && (!Array.isArray(m.tags) || m.tags.some((t) => typeof t !== "string"))) return json(res, 400, { code: 40017, http: 400, error: "invalid request: request body must be message JSON" });
    json(res, 200, { id: `id${receiver.accepted.length}`, time: Math.floor(Date.now() / 1000), event: "message", topic: m.topic, title: m.title, message: m.message ?? "triggered", priority: m.priority, tags: m.tags, click: m.click });
  });
  return Object.assign(receiver, { options });
}

// Gotify -------------------------------------------------------------------------------------------------------

export async function startGotify(appToken: string): Promise<Receiver> {
  return Receiver.start((req, res) => {
    if (req.method === "GET" && req.path === "/health") return json(res, 200, { health: "green", database: "green" });
    if (req.method !== "POST" || req.path !== "/message") return json(res, 404, { error: "Not Found", errorCode: 404, errorDescription: "page not found" });
    const given = req.query.get("token") ?? req.headers["x-gotify-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
    if (given !== appToken) return json(res, 401, { error: "Unauthorized", errorCode: 401, errorDescription: "you need to provide a valid access token or user credentials to access this api" });
    const m = req.body;
    if (!isRecord(m) || typeof m.message !== "string" || m.message === "") return json(res, 400, { error: "Bad Request", errorCode: 400, errorDescription: "Field 'message' is required" });
    json(res, 200, { id: 1, appid: 1, message: m.message, title: m.title ?? "app", priority: m.priority ?? 0, extras: m.extras, date: new Date().toISOString() });
  });
}

// Discord ------------------------------------------------------------------------------------------------------

export interface DiscordOptions {
  id: string;
  token: string;
  /** Answer the next N executions with 429 and this retry_after (seconds). */
  rateLimited?: { times: number; retryAfter: number };
}

export async function startDiscord(options: DiscordOptions): Promise<Receiver & { options: DiscordOptions }> {
  const receiver = await Receiver.start((req, res) => {
    const match = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/]+)$/.exec(req.path);
    if (!match) return json(res, 404, { message: "404: Not Found", code: 0 });
    if (match[1] !== options.id) return json(res, 404, { message: "Unknown Webhook", code: 10015 });
    if (match[2] !== options.token) return json(res, 401, { message: "Invalid Webhook Token", code: 50027 });
    if (req.method === "GET") return json(res, 200, { application_id: null, avatar: null, channel_id: "1", guild_id: "2", id: options.id, name: "Captain Hook", type: 1, token: options.token });
    if (req.method !== "POST") return json(res, 405, { message: "405: Method Not Allowed", code: 0 });
    if (options.rateLimited && options.rateLimited.times > 0) {
      options.rateLimited.times -= 1;
      const after = options.rateLimited.retryAfter;
      return json(res, 429, { message: "You are being rate limited.", retry_after: after, global: false }, { "retry-after": String(Math.ceil(after)), "x-ratelimit-scope": "shared" });
    }
    const m = req.body;
    const invalid = (errors: unknown): void => json(res, 400, { message: "Invalid Form Body", code: 50035, errors });
    if (!isRecord(m)) return invalid({});
    const embeds = m.embeds;
    if (m.content === undefined && embeds === undefined) return json(res, 400, { message: "Cannot send an empty message", code: 50006 });
    if (typeof m.content === "string" && m.content.length > 2000) return invalid({ content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } });
    if (embeds !== undefined) {
      if (!Array.isArray(embeds) || embeds.length > 10) return invalid({ embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length." }] } });
      for (const e of embeds) {
        if (!isRecord(e)) return invalid({ embeds: {} });
        if (typeof e.title === "string" && e.title.length > 256) return invalid({ embeds: { 0: { title: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } } });
        if (typeof e.description === "string" && e.description.length > 4096) return invalid({ embeds: { 0: { description: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } } });
      }
    }
    if (req.query.get("wait") !== "true") return void res.writeHead(204).end();
    json(res, 200, { id: String(1000 + receiver.accepted.length), type: 0, content: m.content ?? "", embeds: embeds ?? [], channel_id: "1", webhook_id: options.id });
  });
  return Object.assign(receiver, { options });
}

// Telegram -----------------------------------------------------------------------------------------------------

export interface TelegramOptions {
  token: string;
  chatId: number;
  /** Answer the next N with a flood-control 429 and this retry_after (seconds). */
  flood?: { times: number; retryAfter: number };
}

/** The subset of Telegram's HTML the daemon uses: <b>, <a href="…">, entities; anything else is refused as Telegram does. */
function telegramHtmlError(text: string): string | undefined {
  const stack: string[] = [];
  const token = /<(\/?)([a-z]+)((?:\s+href="[^"<>]*")?)\s*>|&(amp|lt|gt|quot|#\d+);|[<>&]/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m[0] === "<" || m[0] === ">" || m[0] === "&") return `Bad Request: can't parse entities: unexpected "${m[0]}" at byte offset ${m.index}`;
    if (m[4] !== undefined) continue;
    const [, close, tag = "", attrs] = m;
    if (tag !== "b" && tag !== "a") return `Bad Request: can't parse entities: unsupported start tag "${tag}" at byte offset ${m.index}`;
    if (close) {
      if (stack.pop() !== tag) return `Bad Request: can't parse entities: unmatched end tag at byte offset ${m.index}, expected "</${stack.at(-1) ?? ""}>", found "</${tag}>"`;
    } else {
      if (tag === "a" && !attrs) return `Bad Request: can't parse entities: empty href at byte offset ${m.index}`;
      stack.push(tag);
    }
  }
  return stack.length > 0 ? `Bad Request: can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1) ?? ""}"` : undefined;
}

export async function startTelegram(options: TelegramOptions): Promise<Receiver & { options: TelegramOptions }> {
  const receiver = await Receiver.start((req, res) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!match) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    if (match[1] !== options.token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = (match[2] ?? "").toLowerCase();
    if (method === "getme") return json(res, 200, { ok: true, result: { id: 42, is_bot: true, first_name: "Scrobbler", username: "scrobbler_bot" } });
    if (method !== "sendmessage") return json(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    if (options.flood && options.flood.times > 0) {
      options.flood.times -= 1;
      const after = options.flood.retryAfter;
      return json(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${after}`, parameters: { retry_after: after } });
    }
    const m = req.body;
    if (!isRecord(m) || m.chat_id === undefined) return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: chat_id is empty" });
    if (m.chat_id !== options.chatId && m.chat_id !== String(options.chatId)) return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: chat not found" });
    if (typeof m.text !== "string" || m.text.trim() === "") return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: message text is empty" });
    if (m.text.length > 4096) return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: message is too long" });
    if (m.parse_mode !== undefined && m.parse_mode !== "HTML" && m.parse_mode !== "MarkdownV2" && m.parse_mode !== "Markdown") return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: unsupported parse_mode" });
    if (m.parse_mode === "HTML") {
      const problem = telegramHtmlError(m.text);
      if (problem) return json(res, 400, { ok: false, error_code: 400, description: problem });
    }
    json(res, 200, { ok: true, result: { message_id: receiver.accepted.length + 1, date: Math.floor(Date.now() / 1000), chat: { id: options.chatId, type: "private" }, text: m.text.replace(/<[^>]+>/g, "") } });
  });
  return Object.assign(receiver, { options });
}

// Home Assistant -----------------------------------------------------------------------------------------------

/** Records the JSON of requests to registered webhook ids (trigger.json); answers 200 empty for any id, like HA. */
export async function startHomeAssistant(webhookIds: string[]): Promise<Receiver & { triggers: { id: string; json: unknown }[] }> {
  const triggers: { id: string; json: unknown }[] = [];
  const receiver = await Receiver.start((req, res) => {
    const match = /^\/api\/webhook\/([^/]+)$/.exec(req.path);
    if (!match) return void res.writeHead(404, { "content-type": "text/plain" }).end("404: Not Found");
    if (req.method !== "POST" && req.method !== "PUT" && req.method !== "HEAD") return void res.writeHead(405).end();
    const id = match[1] ?? "";
    if (webhookIds.includes(id) && (req.headers["content-type"] ?? "").includes("application/json")) triggers.push({ id, json: req.body });
    res.writeHead(200).end();
  });
  return Object.assign(receiver, { triggers });
}
