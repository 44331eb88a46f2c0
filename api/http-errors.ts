import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** The JSON body of every API error: a stable code and a sentence saying what to do. */
export interface ApiError {
  error: string;
  message: string;
}

/** Parses `value` with `schema`, or answers 400 naming each bad field and returns undefined. */
export function parseOrReply<T extends z.ZodType>(
  schema: T,
  value: unknown,
  reply: FastifyReply,
  what: string,
): z.infer<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  void reply
    .code(400)
    .send({ error: 'invalid_request', message: `Invalid ${what}: ${problems}` } satisfies ApiError);
  return undefined;
}
