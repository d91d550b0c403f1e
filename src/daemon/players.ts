// The running player adapters, kept in line with the config. Each enabled player section gives one spec per adapter
// (src/players/registry.ts); on every apply a removed adapter stops, a new one starts, one whose fingerprint changed
// restarts, and an unchanged one keeps running (sessions in progress are not disturbed) and gets its live settings.
import type { ServerResponse } from "node:http";
import type { Config } from "../config/schema.js";
import { receivesWebhooks, type AdapterContext, type AdapterSpec, type ServerTokenSource, type SharedPlayerSettings } from "../players/adapter.js";
import { PLAYERS, type PlayerKind, type PlayerSections } from "../players/registry.js";
import type { Logger } from "../util/log.js";
import type { WebhookHandler } from "./http-server.js";
import type { Supervisor } from "./supervisor.js";

interface Wanted {
  kind: string;
  spec: AdapterSpec;
}

export class Players {
  /** Fingerprint of each adapter this set started. */
  readonly #fingerprints = new Map<string, string>();
  /** Players whose section is switched off, to say so when their webhook is called. */
  #disabled = new Set<string>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly context: AdapterContext,
    private readonly log: Logger,
    private readonly stateDir: string,
    /** Adapters beyond the configured players (the demo's simulated player): started once, kept across reloads. */
    private readonly extra: readonly AdapterSpec[] = [],
    /** Tokens stored by `plex login` and friends (the secret store's). */
    private readonly serverTokens?: ServerTokenSource,
  ) {}

  async apply(config: Config): Promise<{ started: string[]; stopped: string[] }> {
    const wanted = await this.#wanted(config);
    const byName = new Map(wanted.map((w) => [w.spec.name, w]));
    const started: string[] = [];
    const stopped: string[] = [];
    for (const [name, fingerprint] of this.#fingerprints) {
      if (byName.get(name)?.spec.fingerprint === fingerprint) continue;
      await this.supervisor.remove(name);
      this.#fingerprints.delete(name);
      stopped.push(name);
    }
    for (const { kind, spec } of byName.values()) {
      const running = this.supervisor.get(spec.name);
      if (running) {
        spec.update?.(running);
        continue;
      }
      await this.supervisor.add(spec.create(this.context, this.log), kind);
      this.#fingerprints.set(spec.name, spec.fingerprint);
      started.push(spec.name);
    }
    return { started, stopped };
  }

  /** The webhook handler of a running adapter for this request path; for a disabled player's path, a 404 that says so. */
  webhookFor(path: string): WebhookHandler | undefined {
    for (const name of this.supervisor.names()) {
      const adapter = this.supervisor.get(name);
      if (adapter && receivesWebhooks(adapter) && (path === adapter.webhookPath || path.startsWith(`${adapter.webhookPath}/`))) {
        return (req, res) => adapter.handleWebhook(req, res);
      }
    }
    const kind = path.split("/")[1] ?? "";
    return this.#disabled.has(kind) ? (_req, res) => notEnabled(res, kind) : undefined;
  }

  async #wanted(config: Config): Promise<Wanted[]> {
    // The registry's sections are the config's: this assignment fails to compile if they ever differ.
    const sections: PlayerSections = config;
    const shared: SharedPlayerSettings = { watchedThreshold: config.scrobble.watchedThreshold, stateDir: this.stateDir };
    if (this.serverTokens !== undefined) shared.serverTokens = this.serverTokens;
    const kinds = Object.keys(PLAYERS) as PlayerKind[];
    this.#disabled = new Set(kinds.filter((kind) => !sections[kind].enabled));
    const wanted: Wanted[] = [];
    for (const kind of kinds) wanted.push(...(await specsOf(kind, sections[kind], shared)));
    wanted.push(...this.extra.map((spec) => ({ kind: "extra", spec })));
    const names = new Set<string>();
    return wanted.filter(({ kind, spec }) => {
      if (!names.has(spec.name)) return names.add(spec.name);
      this.log.error({ adapter: spec.name, kind }, `two adapters are named "${spec.name}"; the second is not started: give each Kodi instance its own name`);
      return false;
    });
  }
}

async function specsOf<K extends PlayerKind>(kind: K, section: PlayerSections[K], shared: SharedPlayerSettings): Promise<Wanted[]> {
  if (!section.enabled) return [];
  const factory = await PLAYERS[kind]();
  return factory(section, shared).map((spec) => ({ kind, spec }));
}

function notEnabled(res: ServerResponse, kind: string): void {
  res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
  res.end(`${JSON.stringify({ error: `the ${kind} player is disabled (${kind}.enabled)` })}\n`);
}
