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

export const plexSection = z
  .object({
    enabled: z.boolean().default(true).describe("Accept Plex webhooks on the HTTP server."),
    webhookSecret: z.string().min(16).optional().describe("Secret in the webhook URL (/plex/<secret>). Required for the endpoint to accept anything.").meta({ env: "PLEX_WEBHOOK_SECRET", secret: true }),
    users: z
      .record(z.string(), z.string())
      .default({})
      .describe("Plex account title or id → Trakt account name. From the environment as PLEX_USERS=\"plexname=default,other=alice\".")
      .meta({ env: "PLEX_USERS" }),
    defaultAccount: z.string().optional().describe("Trakt account for Plex users not listed in `users`; unset = ignore them.").meta({ env: "PLEX_DEFAULT_ACCOUNT" }),
    players: z.array(z.string()).default([]).describe("Only these Player.uuid or titles (empty = all)."),
    servers: z.array(z.string()).default([]).describe("Only these Server.uuid (empty = all)."),
    allowFrom: z.array(z.string()).default([]).describe("Source addresses allowed to post (empty = any)."),
    maxBodyBytes: z.number().int().positive().default(2 * 1024 * 1024).describe("Largest webhook body accepted (413 above)."),
  })
  .default({ enabled: true, users: {}, players: [], servers: [], allowFrom: [], maxBodyBytes: 2 * 1024 * 1024 })
  .describe("Plex webhooks.");

export type MpvSection = z.infer<typeof mpvSection>;
export type KodiSection = z.infer<typeof kodiSection>;
export type PlexSection = z.infer<typeof plexSection>;
