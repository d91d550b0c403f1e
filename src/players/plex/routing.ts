// Plex user → Trakt account, the same for webhooks and for servers followed through their notification socket:
// `plex.users` maps an account title or id; users not listed go to `plex.defaultAccount`, or are ignored (logged
// once per user, saying how to map them).
import type { PlexSection } from "../../config/sections/players.js";
import type { Logger } from "../../util/log.js";

export type PlexRouting = Pick<PlexSection, "users" | "defaultAccount">;

export interface PlexUser {
  id?: string | undefined;
  title?: string | undefined;
}

export class PlexUserRouter {
  readonly #warned = new Set<string>();

  constructor(
    private routing: PlexRouting,
    private readonly log: Logger,
  ) {}

  update(routing: PlexRouting): void {
    this.routing = routing;
    this.#warned.clear();
  }

  /** The Trakt account for this Plex user, or undefined when the user's plays are ignored. */
  accountFor(user: PlexUser): string | undefined {
    const { users, defaultAccount } = this.routing;
    const mapped = (user.title !== undefined ? users[user.title] : undefined) ?? (user.id !== undefined ? users[user.id] : undefined);
    if (mapped !== undefined) return mapped;
    if (defaultAccount !== undefined) return defaultAccount;
    const who = user.title ?? user.id ?? "unknown";
    if (!this.#warned.has(who)) {
      this.#warned.add(who);
      this.log.info({ plexUser: who }, `ignoring plays of Plex user '${who}': not mapped to a Trakt account (add it under plex.users, or set plex.defaultAccount)`);
    }
    return undefined;
  }
}

/** Whether a player passes `plex.players` (empty = every player): by any of its ids or titles. */
export function playerAllowed(players: readonly string[], ids: readonly (string | undefined)[]): boolean {
  if (players.length === 0) return true;
  return ids.some((id) => id !== undefined && players.includes(id));
}
