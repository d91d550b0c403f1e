// A Trakt OAuth token set as Trakt returns it: stored by secrets/, kept fresh by accounts/, sent by trakt/.

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  token_type: string;
  scope: string;
  /** Unix seconds, as Trakt returns it. */
  created_at: number;
  /** Seconds. Expiry is always created_at + expires_in — never assumed. */
  expires_in: number;
}
