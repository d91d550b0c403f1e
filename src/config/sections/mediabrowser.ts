// The config sections of the two media servers that speak the MediaBrowser protocol: Jellyfin and Emby (Jellyfin
// forked from Emby 3.5). Both sections have the same shape; only names, environment variables and help differ.
import { z } from "zod";

/** Largest WebSocket message or REST answer accepted from a server (see src/players/mediabrowser/README.md). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

interface Product {
  /** Config section and CLI name: "jellyfin" / "emby". */
  key: "jellyfin" | "emby";
  /** As users know it. */
  name: string;
  /** Prefix of its environment variables. */
  env: string;
  port: number;
  /** How the URL looks. */
  urlHelp: string;
  tokenHelp: string;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function mediaServerSection(product: Product) {
  const { key, name, env, port } = product;
  return z
    .object({
      enabled: z.boolean().default(true).describe(`Follow the ${name} server at ${key}.url (nothing is followed while it is unset).`),
      url: z
        .string()
        .refine(isHttpUrl, `must be an http:// or https:// address (e.g. http://192.168.1.20:${port})`)
        .optional()
        .describe(product.urlHelp)
        .meta({ env: `${env}_URL` }),
      token: z
        .string()
        .min(1)
        .optional()
        .describe(`${product.tokenHelp} Unset: the login stored by \`trakt-scrobblerd ${key} login\`.`)
        .meta({ env: `${env}_TOKEN`, secret: true }),
      users: z
        .record(z.string(), z.string())
        .default({})
        .describe(`${name} user name or id → Trakt account name. From the environment as ${env}_USERS="alice=default,bob=bob".`)
        .meta({ env: `${env}_USERS` }),
      defaultAccount: z
        .string()
        .optional()
        .describe(`Trakt account for ${name} users not listed in \`users\`; unset = ignore them.`)
        .meta({ env: `${env}_DEFAULT_ACCOUNT` }),
      requestTimeoutSeconds: z.number().positive().default(10).describe(`A request to ${name} or a WebSocket handshake without an answer within this time fails (and is retried with backoff).`),
      maxMessageBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(DEFAULT_MAX_MESSAGE_BYTES)
        .describe(`Largest WebSocket message or REST answer accepted from ${name}; a larger one drops the connection (raise it only if the log says a real message was larger: huge play queues).`),
    })
    .default({ enabled: true, users: {}, requestTimeoutSeconds: 10, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES })
    .describe(`${name} over its WebSocket sessions feed (no plugin needed).`);
}

export const jellyfinSection = mediaServerSection({
  key: "jellyfin",
  name: "Jellyfin",
  env: "JELLYFIN",
  port: 8096,
  urlHelp: "The Jellyfin server's address: http://<host>:8096, or https://… behind a proxy (without /web/…; with the base URL if one is set, e.g. http://<host>:8096/jellyfin).",
  tokenHelp:
    "An API key (Dashboard → API Keys → +; works with Jellyfin 10.8 and 10.10.6+, not 10.9.0–10.10.5) or a user's access token (of an administrator, to see every user's playback).",
});

export const embySection = mediaServerSection({
  key: "emby",
  name: "Emby",
  env: "EMBY",
  port: 8096,
  urlHelp: "The Emby server's address: http://<host>:8096, or https://… behind a proxy (without /emby or /web/…).",
  tokenHelp: "An API key (Settings → Advanced → API Keys → New API Key) or a user's access token (of an administrator, to see every user's playback).",
});

export type JellyfinSection = z.infer<typeof jellyfinSection>;
export type EmbySection = z.infer<typeof embySection>;
/** Both sections have this shape. */
export type MediaServerSection = JellyfinSection;
