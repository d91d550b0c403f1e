// The JSON document Plex Media Server posts in the `payload` field of a webhook. Only the fields a scrobbler needs
// are typed; everything else (Genre, Role, … arrays that can be large) passes through untouched and unused.
import { z } from "zod";
import { parseUntrustedJson } from "../../util/json.js";

const plexId = z.union([z.string(), z.number()]).transform(String);

export const metadataSchema = z.looseObject({
  type: z.string(),
  title: z.string().optional(),
  grandparentTitle: z.string().optional(),
  parentIndex: z.number().optional(),
  index: z.number().optional(),
  year: z.number().optional(),
  guid: z.string().optional(),
  Guid: z.array(z.looseObject({ id: z.string() })).optional(),
  grandparentGuid: z.string().optional(),
  viewOffset: z.number().nonnegative().optional(),
  /** How often the user has watched it; Plex leaves it out while it is 0. */
  viewCount: z.number().nonnegative().optional(),
  duration: z.number().positive().optional(),
  librarySectionType: z.string().optional(),
  ratingKey: plexId.optional(),
  subtype: z.string().optional(),
  extraType: z.union([z.string(), z.number()]).optional(),
});

export const plexPayloadSchema = z.looseObject({
  event: z.string(),
  user: z.boolean().optional(),
  owner: z.boolean().optional(),
  Account: z.looseObject({ id: plexId.optional(), title: z.string().optional() }).optional(),
  Server: z.looseObject({ title: z.string().optional(), uuid: z.string().optional() }).optional(),
  Player: z
    .looseObject({
      local: z.boolean().optional(),
      publicAddress: z.string().optional(),
      title: z.string().optional(),
      uuid: z.string().optional(),
    })
    .optional(),
  Metadata: metadataSchema.optional(),
});

export type PlexPayload = z.infer<typeof plexPayloadSchema>;
export type PlexMetadata = z.infer<typeof metadataSchema>;

export type PayloadParseResult = { ok: true; payload: PlexPayload } | { ok: false; reason: string };

/** Parse the `payload` field's text. Never throws: bad input yields a reason fit for a 400 response. */
export function parsePlexPayload(text: string): PayloadParseResult {
  let json: unknown;
  try {
    json = parseUntrustedJson(text);
  } catch (error) {
    return { ok: false, reason: `payload is not valid JSON (${(error as Error).message})` };
  }
  const result = plexPayloadSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "payload";
    return { ok: false, reason: `payload does not look like a Plex webhook: ${where}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, payload: result.data };
}
