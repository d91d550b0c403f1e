/** The account has no usable tokens: never logged in, logged out, or Trakt refused its refresh token
 * (`invalid_grant`). Only `trakt-scrobblerd login --account NAME` fixes it; nothing retries it. */
export class NeedsLoginError extends Error {
  override readonly name = "NeedsLoginError";
  constructor(
    readonly account: string,
    readonly reason: string,
  ) {
    super(`account "${account}" needs a new login (${reason}): run \`trakt-scrobblerd login --account ${account}\``);
  }
}

export function isNeedsLoginError(error: unknown): error is NeedsLoginError {
  return error instanceof NeedsLoginError;
}
