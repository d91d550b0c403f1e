// The Plex servers followed through their notification socket right now, by machineIdentifier (what a webhook
// calls Server.uuid). The webhook adapter ignores webhooks from these servers and hands over the sessions it had
// opened for them, so a user with both webhooks and the socket gets each playthrough once.

export class FollowedPlexServers {
  readonly #byAdapter = new Map<string, string>();
  readonly #listeners = new Set<(machineIdentifier: string) => void>();

  /** The socket adapter `adapter` follows the server `machineIdentifier` (from now on, until `unfollow`). */
  follow(adapter: string, machineIdentifier: string): void {
    const before = this.#byAdapter.get(adapter);
    this.#byAdapter.set(adapter, machineIdentifier);
    if (before === machineIdentifier) return;
    for (const listener of this.#listeners) listener(machineIdentifier);
  }

  unfollow(adapter: string): void {
    this.#byAdapter.delete(adapter);
  }

  has(machineIdentifier: string): boolean {
    for (const followed of this.#byAdapter.values()) if (followed === machineIdentifier) return true;
    return false;
  }

  /** Called when a server starts being followed; returns the unsubscribe. */
  onFollow(listener: (machineIdentifier: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
