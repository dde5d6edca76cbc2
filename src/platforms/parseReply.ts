// zod at the boundary: every platform reply is checked against its documented shape here.
import type * as z from 'zod/mini';
import { invalidResponse } from '../core/errors';
import type { PlatformId } from '../core/model';

/** The reply as `schema` types it, or an `invalidResponse` naming the first field that did not match. */
export function parseReply<T>(platform: PlatformId, schema: z.ZodMiniType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidResponse(platform, result.error);
  return result.data;
}
