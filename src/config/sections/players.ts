import { z } from "zod";

export const mpvSection = z
  .object({
    enabled: z.boolean().default(true).describe("Follow mpv players."),
    socketDir: z
      .string()
      .optional()
      .describe(
        "Directory watched for mpv IPC sockets, one per mpv instance (mpv.conf: input-ipc-server=<dir>/<name>). Created (mode 700) if missing; refused when it is a symlink, belongs to another user or others can write to it. Default when neither socketDir nor sockets is set: $XDG_RUNTIME_DIR/mpv, else <stateDir>/mpv (never a shared directory such as /tmp).",
      ),
    sockets: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Explicit socket paths (or Windows named pipes, \\\\.\\pipe\\mpvsocket). Each one's directory is watched, so an mpv that starts there is followed at once; one that cannot be watched (a named pipe, a directory that does not exist yet) is tried every reconnectSeconds while mpv is not running.",
      ),
    account: z.string().optional().describe("Trakt account for mpv playback (default: accounts.default)."),
    progressIntervalSeconds: z
      .number()
      .positive()
      .default(15)
      .describe("While playing, report the position at most this often (pause, resume, seek and stop are reported at once)."),
    reconnectSeconds: z
      .number()
      .positive()
      .default(2)
      .describe("How often an explicit socket that cannot be watched is tried while its mpv is not running; also the first retry after a connection broke (doubling up to 60 s)."),
    requestTimeoutSeconds: z
      .number()
      .positive()
      .default(5)
      .describe("A socket whose peer does not answer a request within this time is treated as broken and disconnected."),
  })
  .default({ enabled: true, sockets: [], progressIntervalSeconds: 15, reconnectSeconds: 2, requestTimeoutSeconds: 5 })
  .describe("mpv over its JSON IPC socket.");

const kodiInstance = z
  .object({
    name: z.string().min(1).default("kodi").describe("A name for logs and status; events come from player \"kodi:<name>\". Must be unique."),
    url: z
      .string()
      .refine((url) => /^wss?:\/\//.test(url), "must start with ws:// (e.g. ws://192.168.1.20:9090/jsonrpc)")
      .default("ws://127.0.0.1:9090/jsonrpc")
      .describe("Kodi's JSON-RPC WebSocket: ws://<host>:9090/jsonrpc (port 9090 unless changed in advancedsettings.xml)."),
    account: z.string().optional().describe("Trakt account for this Kodi (default: accounts.default)."),
  });

export const kodiSection = z
  .object({
    enabled: z.boolean().default(true).describe("Follow Kodi instances."),
    instances: z
      .array(kodiInstance)
      .default([{ name: "kodi", url: "ws://127.0.0.1:9090/jsonrpc" }])
      .refine((list) => new Set(list.map((i) => i.name)).size === list.length, "each Kodi instance needs its own name")
      .describe(
        "Kodi instances. In each Kodi enable Settings → Services → Control → 'Allow remote control from applications on this system' (and '… on other systems' when Kodi runs on another machine).",
      ),
    ignoreLiveTv: z.boolean().default(true).describe("Ignore PVR / live TV (pvr:// items and channels)."),
    excludePaths: z
      .array(z.string())
      .default([])
      .describe("Paths never scrobbled. A pattern with * or ? is a glob on the whole path (* within a folder, ** across folders); otherwise it matches paths that contain it. Case-insensitive."),
    pollMaxSeconds: z
      .number()
      .int()
      .min(2)
      .max(120)
      .default(15)
      .describe("Longest gap between position polls while something plays (polls come closer as the watched threshold nears; none while idle)."),
  })
  .default({ enabled: true, instances: [{ name: "kodi", url: "ws://127.0.0.1:9090/jsonrpc" }], ignoreLiveTv: true, excludePaths: [], pollMaxSeconds: 15 })
  .describe("Kodi over JSON-RPC WebSocket.");

/** Server names become adapter names ("plex:<name>") and secret-store keys: the same safe alphabet as account names. */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const plexServer = z
  .object(
    {
      name: z
        .string()
        .regex(SERVER_NAME, "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        .describe("A name for logs and status (events come from player \"plex:<name>\") and for its stored token (`trakt-scrobblerd plex login --server <name>`). Must be unique."),
      url: z
        .string()
        .refine((url) => /^https?:\/\/[^/\s]+/i.test(url), "must start with http:// or https:// (e.g. http://192.168.1.10:32400)")
        .describe("The server's address, e.g. http://192.168.1.10:32400 (https:// when Plex requires secure connections). The daemon opens its notification socket (<url>/:/websockets/notifications) and asks it /status/sessions and /library/metadata."),
      token: z
        .string()
        .min(8)
        .optional()
        .describe("The server owner's X-Plex-Token for this server. Instead: `trakt-scrobblerd plex login` (stored with the other secrets) or plex.token / PLEX_TOKEN for every server.")
        .meta({ secret: true }),
    },
    {
      // `plex.servers` used to be the webhook filter by Server.uuid (a list of strings).
      error: (issue) =>
        issue.code === "invalid_type" && typeof issue.input === "string"
          ? `plex.servers now lists the Plex Media Servers to follow (each {name, url}); the webhook filter by server uuid moved to plex.webhookServers: move "${issue.input.slice(0, 64)}" there`
          : undefined,
    },
  );

export const plexSection = z
  .object({
    enabled: z.boolean().default(true).describe("Follow Plex: webhooks on the HTTP server, and the servers listed under `servers` through their notification socket."),
    webhookSecret: z.string().min(16).optional().describe("Secret in the webhook URL (/plex/<secret>). Required for the webhook endpoint to accept anything.").meta({ env: "PLEX_WEBHOOK_SECRET", secret: true }),
    servers: z
      .array(plexServer)
      .default([])
      .refine((list) => new Set(list.map((s) => s.name)).size === list.length, "each Plex server needs its own name")
      .describe(
        "Plex Media Servers followed through their own notification socket (no Plex Pass needed), with the owner's token (from `trakt-scrobblerd plex login`, plex.token / PLEX_TOKEN, or the server's own `token`). Webhooks from a server listed here are ignored: each playthrough is reported once. From the environment as PLEX_SERVERS=\"home=http://192.168.1.10:32400\".",
      )
      .meta({ env: "PLEX_SERVERS" }),
    token: z
      .string()
      .min(8)
      .optional()
      .describe("The server owner's X-Plex-Token, for every server under `servers` that has no `token` of its own (wins over a token stored by `plex login`).")
      .meta({ env: "PLEX_TOKEN", secret: true }),
    users: z
      .record(z.string(), z.string())
      .default({})
      .describe("Plex account title or id → Trakt account name (webhooks and servers alike). From the environment as PLEX_USERS=\"plexname=default,other=alice\".")
      .meta({ env: "PLEX_USERS" }),
    defaultAccount: z.string().optional().describe("Trakt account for Plex users not listed in `users`; unset = ignore them.").meta({ env: "PLEX_DEFAULT_ACCOUNT" }),
    players: z.array(z.string()).default([]).describe("Only these players: webhook Player.uuid or title, server session Player.machineIdentifier or title (empty = all)."),
    webhookServers: z.array(z.string()).default([]).describe("Webhooks: only these Server.uuid (empty = all). Before the notification socket this was `plex.servers`."),
    allowFrom: z.array(z.string()).default([]).describe("Source addresses allowed to post webhooks (empty = any)."),
    maxBodyBytes: z.number().int().positive().default(2 * 1024 * 1024).describe("Largest webhook body accepted (413 above)."),
    sessionCheckSeconds: z
      .number()
      .min(1)
      .max(600)
      .default(45)
      .describe("Servers: a session the server has said nothing about for this long is looked up in /status/sessions; one that is gone there (a client that never sent 'stopped', a server that went away) ends at its last known position."),
    plexTvUrl: z.url().default("https://plex.tv").describe("plex.tv, for the PIN login of `trakt-scrobblerd plex login`.").meta({ env: "PLEX_TV_URL" }),
  })
  .default({
    enabled: true,
    servers: [],
    users: {},
    players: [],
    webhookServers: [],
    allowFrom: [],
    maxBodyBytes: 2 * 1024 * 1024,
    sessionCheckSeconds: 45,
    plexTvUrl: "https://plex.tv",
  })
  .describe("Plex: webhooks (Plex Pass) and/or servers followed through their notification socket (no Plex Pass).");

export type PlexServerConfig = z.infer<typeof plexServer>;
export type MpvSection = z.infer<typeof mpvSection>;
export type KodiSection = z.infer<typeof kodiSection>;
export type PlexSection = z.infer<typeof plexSection>;
