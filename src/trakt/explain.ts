// Trakt as it is since mid-2026, in plain words for doctor, login, the log and /readyz:
// - creating an API app needs Trakt VIP (since 31 July 2026), and the API apps of accounts without VIP were deleted:
//   every request made with a deleted app's client id gets 403 (or `invalid_client` from the OAuth endpoints);
// - 426 means "VIP required" for what was asked;
// - a free account may have only one connected community app at a time.
// (Reports: trakt/trakt-api#897, #902, #906; the status codes in test/fixtures/trakt/NOTES.md.)

export const TRAKT_APPS_URL = "https://app.trakt.tv/settings/apps/api";
export const TRAKT_VIP_URL = "https://trakt.tv/vip";

/** Why Trakt refuses the app itself (403, or 401 invalid_client from /oauth/*), and what to do. */
export const APP_REFUSED =
  `Trakt does not accept this app's client id: the app was deleted or the id is wrong. Since 31 July 2026 creating a Trakt API app needs VIP, and Trakt deleted the API apps of accounts without VIP. ` +
  `Fix: with a VIP account, create an app at ${TRAKT_APPS_URL} (redirect URI urn:ietf:wg:oauth:2.0:oob) and set trakt.clientId / trakt.clientSecret (TRAKT_CLIENT_ID / TRAKT_CLIENT_SECRET), then log in again; if the app still exists there, copy its Client ID exactly`;

/** What a 426 means. */
export const VIP_REQUIRED = `Trakt answered 426 "VIP required": this needs a Trakt VIP account (${TRAKT_VIP_URL}). Watches are kept in the outbox and sent once the account has VIP`;

/** A free account may connect one community app; shown where a login is not approved. */
export const COMMUNITY_APP_LIMIT =
  "A free Trakt account may connect only one community app at a time: if trakt.tv would not approve the code, disconnect another connected app on trakt.tv first (or use a VIP account)";

/** Creating an app (the first step of setup) needs VIP. */
export const APP_SETUP_HINT = `create an API app at ${TRAKT_APPS_URL} (this needs Trakt VIP since 31 July 2026; redirect URI urn:ietf:wg:oauth:2.0:oob) and set trakt.clientId / trakt.clientSecret (or TRAKT_CLIENT_ID / TRAKT_CLIENT_SECRET)`;
