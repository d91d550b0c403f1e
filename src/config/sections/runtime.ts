import cron from "node-cron";
import { z } from "zod";
import { SERVER_HOST_ENV, SERVER_PORT_ENV } from "../server-address.js";

export const logSection = z
  .object({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("Log level.").meta({ env: "TRAKT_SCROBBLERD_LOG_LEVEL", restart: true }),
    pretty: z.boolean().optional().describe("Human-readable logs; by default only when stdout is a terminal.").meta({ env: "TRAKT_SCROBBLERD_LOG_PRETTY", restart: true }),
  })
  .default({ level: "info" })
  .describe("Logging.");

export const serverSection = z
  .object({
    host: z.string().default("127.0.0.1").describe("Address the HTTP server (health, status, metrics, Plex webhook) binds to. Use 0.0.0.0 in Docker.").meta({ env: SERVER_HOST_ENV, restart: true }),
    port: z.number().int().min(0).max(65535).default(7788).describe("HTTP server port.").meta({ env: SERVER_PORT_ENV, restart: true }),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("The address people open the dashboard at (e.g. https://scrobbler.home.example or http://192.168.1.10:7788), for links in notifications; default: http://<host>:<port> of this machine.")
      .meta({ env: "TRAKT_SCROBBLERD_PUBLIC_URL" }),
  })
  .default({ host: "127.0.0.1", port: 7788 })
  .describe("The daemon's HTTP server.");

/** A node-cron expression, checked when the config is read (and on every reload) rather than when the job starts. */
const cronExpression = z.string().refine((expression) => cron.validate(expression), 'not a valid cron expression (node-cron syntax: "minute hour day month weekday", optionally seconds first)');

export const schedulesSection = z
  .object({
    tokenRefresh: cronExpression.default("*/15 * * * *").describe("cron: check tokens and refresh those near expiry."),
    outboxDrain: cronExpression.default("* * * * *").describe("cron: retry what is waiting in the outbox."),
    cachePrune: cronExpression.default("17 3 * * *").describe("cron: prune the identification cache."),
  })
  .default({ tokenRefresh: "*/15 * * * *", outboxDrain: "* * * * *", cachePrune: "17 3 * * *" })
  .describe("Periodic jobs (node-cron syntax, with optional seconds field).");

export type LogSection = z.infer<typeof logSection>;
export type ServerSection = z.infer<typeof serverSection>;
export type SchedulesSection = z.infer<typeof schedulesSection>;
