// The plex.tv PIN login (what `trakt-scrobblerd plex login` runs): ask plex.tv for a PIN (POST /api/v2/pins), show
// its code and where to enter it (plex.tv/link, like the Trakt device login), and poll the PIN (GET
// /api/v2/pins/{id}) until plex.tv hands over the account's token, the code expires (404) or its time runs out.
// Shapes: test/fixtures/media-servers/plex-notifications/plextv-api-v2-pins*. Time, sleep and output are injected
// so tests drive it; plex.tv's address is plex.plexTvUrl (a fake one in tests).
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { readBoundedText } from "../util/http-response.js";
import { parseUntrustedJson } from "../util/json.js";
import { registerSecret, type Logger } from "../util/log.js";
import { USER_AGENT } from "../version.js";
import { terminalQr } from "./device.js";

/** What Plex shows under Settings → Authorized Devices. */
export const PLEX_PRODUCT = "trakt-scrobblerd";

/** plex.tv answers a PIN in ~1 KB. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class PlexLoginError extends Error {
  override readonly name = "PlexLoginError";
  constructor(
    message: string,
    /** A network failure or a 5xx/429 while polling: tried again. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

const pinSchema = z.looseObject({
  id: z.number().int(),
  code: z.string().min(1),
  expiresIn: z.number().positive().optional(),
  authToken: z.string().min(1).nullable().optional(),
});

type Pin = z.infer<typeof pinSchema>;

export interface PlexPinLoginOptions {
  /** https://plex.tv (plex.plexTvUrl). */
  plexTvUrl: string;
  /** X-Plex-Client-Identifier: this installation, as the user's Plex account lists it. */
  clientIdentifier: string;
  out: { write(text: string): unknown };
  signal?: AbortSignal;
  logger?: Logger;
  /** Between two polls (python-plexapi polls every second). */
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Renders the link as a terminal QR code; `false` to skip. */
  qr?: ((url: string) => Promise<string>) | false;
  fetch?: typeof fetch;
}

/** Runs the PIN login; resolves with the Plex account's token. */
export async function runPlexPinLogin(options: PlexPinLoginOptions): Promise<string> {
  const { out, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, s?: AbortSignal) => delay(ms, undefined, s ? { signal: s } : {}));
  const base = options.plexTvUrl.replace(/\/+$/, "");
  const log = options.logger?.child({ component: "plex-login" });

  const pin = await request(options, "POST", `${base}/api/v2/pins`);
  if (pin === "not-found") throw new PlexLoginError("plex.tv did not create a PIN (404): check plex.plexTvUrl");
  const expiresInS = pin.expiresIn ?? 900;
  const deadline = now() + expiresInS * 1000;
  const link = base === "https://plex.tv" ? "https://plex.tv/link" : `${base}/link`;

  out.write(`\nTo let trakt-scrobblerd follow your Plex servers, sign in to Plex as the server owner, open ${link} and enter this code:\n\n    ${pin.code}\n\n`);
  if (options.qr !== false) {
    const qr = await (options.qr ?? terminalQr)(link).catch(() => "");
    if (qr) out.write(`${qr}\n`);
  }
  out.write(`Waiting for approval (the code expires in ${Math.round(expiresInS / 60)} minutes; Ctrl-C cancels)…\n`);
  log?.debug({ pin: pin.id, expiresInS }, "plex.tv PIN issued");

  for (;;) {
    await sleep(options.pollIntervalMs ?? 1_000, signal);
    if (now() >= deadline) throw expired();
    let answer: Pin | "not-found";
    try {
      answer = await request(options, "GET", `${base}/api/v2/pins/${pin.id}`);
    } catch (error) {
      if (signal?.aborted || !(error instanceof PlexLoginError && error.retryable)) throw error;
      log?.warn({ err: error }, "polling plex.tv failed; trying again");
      continue;
    }
    if (answer === "not-found") throw expired();
    if (typeof answer.authToken === "string") {
      registerSecret(answer.authToken);
      return answer.authToken;
    }
  }
}

function expired(): PlexLoginError {
  return new PlexLoginError("the code expired before it was entered at plex.tv/link; run `trakt-scrobblerd plex login` again");
}

async function request(options: PlexPinLoginOptions, method: "POST" | "GET", url: string): Promise<Pin | "not-found"> {
  const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method,
      headers: {
        accept: "application/json",
        "x-plex-product": PLEX_PRODUCT,
        "x-plex-client-identifier": options.clientIdentifier,
        "user-agent": USER_AGENT,
      },
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const why = timeout.aborted ? "no answer in time" : error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new PlexLoginError(`cannot reach plex.tv at ${new URL(url).origin} (${why})`, true);
  }
  const { text, truncated } = await readBoundedText(response, MAX_ANSWER_BYTES, signal);
  if (response.status === 404) return "not-found";
  if (response.status === 429 || response.status >= 500) throw new PlexLoginError(`plex.tv answered ${response.status}`, true);
  if (response.status >= 400) throw new PlexLoginError(`plex.tv refused the request (${response.status}): ${summary(text)}`);
  if (truncated) throw new PlexLoginError("plex.tv answered far more than a PIN");
  let json: unknown;
  try {
    json = parseUntrustedJson(text);
  } catch {
    throw new PlexLoginError(`plex.tv answered something that is not JSON: ${summary(text)}`);
  }
  const parsed = pinSchema.safeParse(json);
  if (!parsed.success) throw new PlexLoginError("plex.tv answered something that is not a PIN (no id or code)");
  return parsed.data;
}

/** plex.tv's error answer ({"errors":[{"code","message"}]}) in one line; never more than a line of anything else. */
function summary(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { message?: string }[] };
    const message = body.errors?.[0]?.message;
    if (typeof message === "string") return message.slice(0, 200);
  } catch {
    // not JSON
  }
  return JSON.stringify(text.slice(0, 120));
}
