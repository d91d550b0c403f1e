// The HTTP side of a Plex Media Server, as the notification-socket adapter uses it: who the server is (`GET /`),
// who plays what (`GET /status/sessions`, owner token only) and what an item is (`GET /library/metadata/{key}`).
// JSON is asked for (`Accept: application/json`; PMS answers XML otherwise). Answers are bounded in size and depth
// and read leniently: ids come as strings or numbers depending on the endpoint and the server version.
// Knows nothing about playback; see socket-adapter.ts.
import { z } from "zod";
import { readBoundedText } from "../../util/http-response.js";
import { parseUntrustedJson } from "../../util/json.js";
import { USER_AGENT } from "../../version.js";
import { metadataSchema, type PlexMetadata } from "./payload.js";

/** A /status/sessions answer with a few sessions is ~10–30 KB per session (cast lists included); far above that is not PMS. */
export const PLEX_MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export type PlexHttpFailure = "unauthorized" | "forbidden" | "not_found" | "server" | "bad_answer" | "unreachable";

export class PlexHttpError extends Error {
  override readonly name = "PlexHttpError";
  constructor(
    readonly kind: PlexHttpFailure,
    message: string,
    readonly status?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

const id = z.union([z.string(), z.number()]).transform(String);
/** Plex JSON sends numbers, its XML (and some older JSON) numeric strings. */
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().finite());
const flag = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === "1" || v === "true");

/** One item as /library/metadata and /status/sessions describe it (the webhook's Metadata, read leniently). */
const itemSchema = metadataSchema.extend({
  parentIndex: num.optional(),
  index: num.optional(),
  year: num.optional(),
  viewOffset: num.pipe(z.number().nonnegative()).optional(),
  duration: num.pipe(z.number().positive()).optional(),
  viewCount: num.optional(),
  librarySectionID: id.optional(),
  grandparentRatingKey: id.optional(),
  key: z.string().optional(),
  live: flag.optional(),
});

export type PlexItem = z.infer<typeof itemSchema> & PlexMetadata;

const sessionSchema = itemSchema.extend({
  sessionKey: id,
  ratingKey: id,
  User: z.looseObject({ id: id.optional(), title: z.string().optional() }).optional(),
  Player: z
    .looseObject({
      machineIdentifier: z.string().optional(),
      title: z.string().optional(),
      product: z.string().optional(),
      state: z.string().optional(),
    })
    .optional(),
  Session: z.looseObject({ id: z.string().optional() }).optional(),
});

export type PlexSessionItem = z.infer<typeof sessionSchema>;

const containerOf = <T extends z.ZodType>(entry: T) =>
  z.looseObject({ MediaContainer: z.looseObject({ Metadata: z.array(z.unknown()).optional() }) }).transform((c) => {
    const out: z.infer<T>[] = [];
    for (const raw of c.MediaContainer.Metadata ?? []) {
      const parsed = entry.safeParse(raw);
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  });

const identitySchema = z.looseObject({
  MediaContainer: z.looseObject({
    machineIdentifier: z.string().min(1),
    friendlyName: z.string().optional(),
    version: z.string().optional(),
  }),
});

export interface PlexIdentity {
  machineIdentifier: string;
  friendlyName: string | undefined;
  version: string | undefined;
}

export interface PlexServerApiOptions {
  /** http(s)://host:32400 */
  url: string;
  token: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class PlexServerApi {
  readonly #base: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: PlexServerApiOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The server's root: its machineIdentifier (= a webhook's Server.uuid), name and version. Checks the token. */
  async identity(signal?: AbortSignal): Promise<PlexIdentity> {
    const parsed = identitySchema.safeParse(await this.#get("/", signal));
    if (!parsed.success) throw new PlexHttpError("bad_answer", "the server's root (/) has no machineIdentifier: is this a Plex Media Server?");
    const c = parsed.data.MediaContainer;
    return { machineIdentifier: c.machineIdentifier, friendlyName: c.friendlyName, version: c.version };
  }

  /** Every user's sessions (owner token only: others get 401/403). */
  async sessions(signal?: AbortSignal): Promise<PlexSessionItem[]> {
    const parsed = containerOf(sessionSchema).safeParse(await this.#get("/status/sessions", signal));
    if (!parsed.success) throw new PlexHttpError("bad_answer", "/status/sessions did not answer a MediaContainer");
    return parsed.data;
  }

  /** One library item, or undefined when the server does not know it (404, or an empty container). */
  async metadata(ratingKey: string, signal?: AbortSignal): Promise<PlexItem | undefined> {
    let body: unknown;
    try {
      body = await this.#get(`/library/metadata/${encodeURIComponent(ratingKey)}`, signal);
    } catch (error) {
      if (error instanceof PlexHttpError && error.kind === "not_found") return undefined;
      throw error;
    }
    const parsed = containerOf(itemSchema).safeParse(body);
    if (!parsed.success) throw new PlexHttpError("bad_answer", `/library/metadata/${ratingKey} did not answer a MediaContainer`);
    return parsed.data[0];
  }

  async #get(path: string, outer?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, {
        headers: { accept: "application/json", "x-plex-token": this.#token, "x-plex-product": "trakt-scrobblerd", "user-agent": USER_AGENT },
        signal,
        redirect: "error",
      });
    } catch (error) {
      const why = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : describeCause(error);
      throw new PlexHttpError("unreachable", `GET ${path}: ${why}`, undefined, { cause: error });
    }
    const { text, truncated } = await readBoundedText(response, PLEX_MAX_ANSWER_BYTES, signal).catch((error: unknown) => {
      throw new PlexHttpError("unreachable", `GET ${path}: the answer was cut off (${describeCause(error)})`, undefined, { cause: error });
    });
    if (response.status === 401) throw new PlexHttpError("unauthorized", `GET ${path}: the server refused the token (401)`, 401);
    if (response.status === 403) throw new PlexHttpError("forbidden", `GET ${path}: the token may not do this (403)`, 403);
    if (response.status === 404) throw new PlexHttpError("not_found", `GET ${path}: not found (404)`, 404);
    if (response.status >= 400) throw new PlexHttpError("server", `GET ${path}: the server answered ${response.status}`, response.status);
    if (truncated) throw new PlexHttpError("bad_answer", `GET ${path}: the answer is larger than ${PLEX_MAX_ANSWER_BYTES} bytes`);
    if (/^\s*</.test(text)) throw new PlexHttpError("bad_answer", `GET ${path}: the server answered XML although JSON was asked for`);
    try {
      return parseUntrustedJson(text);
    } catch (error) {
      throw new PlexHttpError("bad_answer", `GET ${path}: the answer is not JSON (${(error as Error).message})`);
    }
  }
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === "string" ? `${code} (${message})` : message;
}
