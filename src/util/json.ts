// JSON from peers we do not trust (Kodi, mpv, Plex webhooks, files others could write). JSON.parse itself copes with
// any nesting (V8's parser is iterative), but what walks the result afterwards recurses — the log redaction, zod,
// structuredClone, JSON.stringify — and a message nested some thousand levels deep overflows the stack there, far
// from the socket it came from. So the nesting is measured on the text first, in one pass without allocating, and a
// document deeper than any real one is refused before it is parsed.

/** Deeper than any real message: Kodi's library answers nest about 6 levels, Plex webhooks 4, mpv replies 3. */
export const MAX_JSON_DEPTH = 64;

export class JsonTooDeepError extends Error {
  override readonly name = "JsonTooDeepError";
  constructor(readonly limit: number) {
    super(`JSON nested deeper than ${limit} levels`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Whether objects/arrays in `text` nest deeper than `limit` (brackets inside strings do not count). */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** JSON.parse for untrusted text: throws JsonTooDeepError past `maxDepth`, SyntaxError for anything not JSON. */
export function parseUntrustedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestsDeeperThan(text, maxDepth)) throw new JsonTooDeepError(maxDepth);
  return JSON.parse(text) as unknown;
}
