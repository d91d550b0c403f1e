import cron from "node-cron";
import { z } from "zod";
import { SERVER_HOST_ENV, SERVER_PORT_ENV, SERVER_TOKEN_ENV, SERVER_TOKEN_FILE } from "../server-address.js";

export const logSection = z
  .object({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("Log level.").meta({ env: "TRAKT_SCROBBLERD_LOG_LEVEL", restart: true }),
    pretty: z.boolean().optional().describe("Human-readable logs; by default only when stdout is a terminal.").meta({ env: "TRAKT_SCROBBLERD_LOG_PRETTY", restart: true }),
  })
  .default({ level: "info" })
  .describe("Logging.");

export const serverSection = z
  .object({
    host: z
      .string()
      .default("127.0.0.1")
      .describe(
        "Address the HTTP server (dashboard, health, status, metrics, Plex webhook) binds to. Use 0.0.0.0 in Docker. Bound to anything but loopback, every route except /healthz and the webhooks asks for server.token.",
      )
      .meta({ env: SERVER_HOST_ENV, restart: true }),
    port: z.number().int().min(0).max(65535).default(7788).describe("HTTP server port.").meta({ env: SERVER_PORT_ENV, restart: true }),
    token: z
      .string()
      .min(12, "use at least 12 characters (or leave it unset: a random one is generated)")
      .optional()
      .describe(
        `The password of the dashboard, /api/status, /readyz and /metrics when server.host is not loopback (a browser asks for it once; Prometheus and scripts send "Authorization: Bearer <token>"). Unset: one is generated on first start, stored in <stateDir>/${SERVER_TOKEN_FILE}, shown once in the log and by \`trakt-scrobblerd status\`.`,
      )
      .meta({ env: SERVER_TOKEN_ENV, secret: true, restart: true }),
    allowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Host names the dashboard may be opened by, beyond IP addresses, localhost and this machine's name (e.g. nas.local, scrobbler.example.org). Other names are refused so a web page cannot reach the daemon through DNS rebinding.",
      )
      .meta({ env: "TRAKT_SCROBBLERD_ALLOWED_HOSTS" }),
    dashboard: z.boolean().default(true).describe("Serve the web dashboard at /. Its code is loaded only when someone opens it.").meta({ env: "TRAKT_SCROBBLERD_DASHBOARD" }),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("The address people open the dashboard at (e.g. https://scrobbler.home.example or http://192.168.1.10:7788), for links in notifications; default: http://<host>:<port> of this machine.")
      .meta({ env: "TRAKT_SCROBBLERD_PUBLIC_URL" }),
  })
  .default({ host: "127.0.0.1", port: 7788, allowedHosts: [], dashboard: true })
  .describe("The daemon's HTTP server and its web dashboard.");

/** A node-cron expression, checked when the config is read (and on every reload) rather than when the job starts. */
const cronExpression = z.string().refine((expression) => cron.validate(expression), 'not a valid cron expression (node-cron syntax: "minute hour day month weekday", optionally seconds first)');

/** A key that no longer does anything: a file that sets it still loads, and a warning says what to do. */
const retired = (why: string) => z.string().optional().describe(`No longer used: ${why} Remove it from the file.`).meta({ deprecated: true });

export const schedulesSection = z
  .object({
    tokenRefresh: retired("tokens are refreshed when they are due (accounts.refreshMarginMinutes before they expire), not on a schedule."),
    outboxDrain: retired("the outbox retries by itself when a wait ends, and `queue retry|drop` requests are applied at once."),
    cachePrune: cronExpression.default("17 3 * * *").describe("cron: prune the identification cache."),
  })
  .default({ cachePrune: "17 3 * * *" })
  .describe("Periodic jobs (node-cron syntax, with optional seconds field). Nothing else runs on a schedule: the daemon wakes only when there is work.");

export type LogSection = z.infer<typeof logSection>;
export type ServerSection = z.infer<typeof serverSection>;
export type SchedulesSection = z.infer<typeof schedulesSection>;
