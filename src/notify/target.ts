// The configured targets, read once from the config: service, address (secrets known and registered with the log
// scrubber), token, the events each wants, and a fingerprint to tell on reload which ones did not change.
import { parseTargetUrl, type NotifyType, type TargetAddress } from "../config/notify-url.js";
import type { NotifyEvent, NotifySection } from "../config/sections/notify.js";
import { registerSecret } from "../util/log.js";

export interface Target {
  name: string;
  type: NotifyType;
  address: TargetAddress;
  /** ntfy access token or Gotify app token, sent as a header. */
  token?: string;
  events: ReadonlySet<NotifyEvent>;
  /** Same fingerprint, same target: its queue and history survive a config reload. */
  fingerprint: string;
}

/** Every target of the section (the config has validated each URL; one that still fails to parse is skipped). */
export function targetsOf(section: NotifySection): Target[] {
  const specs = [
    ...section.urls.map((url) => ({ url, type: undefined, name: undefined, events: undefined, token: undefined })),
    ...section.targets,
  ];
  const targets: Target[] = [];
  const names = new Set<string>();
  for (const spec of specs) {
    const address = parseTargetUrl(spec.url, spec.type);
    if ("error" in address) continue;
    for (const secret of address.secrets) registerSecret(secret);
    registerSecret(spec.url);
    if (spec.token !== undefined) registerSecret(spec.token);
    let name = spec.name ?? `${address.type} ${address.url.host}`;
    for (let n = 2; names.has(name); n++) name = `${spec.name ?? `${address.type} ${address.url.host}`} #${n}`;
    names.add(name);
    const events = new Set(spec.events ?? section.events);
    targets.push({
      name,
      type: address.type,
      address,
      ...(spec.token === undefined ? {} : { token: spec.token }),
      events,
      fingerprint: JSON.stringify([spec.url, address.type, spec.token ?? null, name]),
    });
  }
  return targets;
}
