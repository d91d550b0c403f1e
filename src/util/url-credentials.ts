// Passwords written into URLs (ws://kodi:secret@host:9090/jsonrpc) are secrets like any other: shown masked in
// `config check`, in logs and in status, and scrubbed from log lines by value.

export const URL_CREDENTIAL_MASK = "********";

function parse(text: string): URL | undefined {
  if (!text.includes("@")) return undefined; // no userinfo possible: skip the parser
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * The text with a URL's credentials masked: the password (`user:********@`), or a lone user name (which may be a
 * token, `https://TOKEN@host`). Text that is not a URL with credentials comes back unchanged.
 */
export function maskUrlCredentials(text: string): string {
  const url = parse(text);
  if (url === undefined || (url.username === "" && url.password === "")) return text;
  if (url.password !== "") url.password = URL_CREDENTIAL_MASK;
  else url.username = URL_CREDENTIAL_MASK;
  return url.toString();
}

/** The credential in a URL (its password, else a lone user name), decoded; undefined when there is none. */
export function urlCredential(text: string): string | undefined {
  const url = parse(text);
  if (url === undefined) return undefined;
  const raw = url.password !== "" ? url.password : url.username;
  if (raw === "") return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
