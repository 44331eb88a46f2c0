import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidCursorError } from '../store/event-log-repository';
import { ProblemError } from './problem';

/** A Fastify instance (or scope) whose route schemas are zod schemas (fastify-type-provider-zod). */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Path parameters of every `/api/connectors/:id` route. */
export const connectorParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a connector id (letters, digits, dashes; at most 64)'),
});

/** Query parameters of cursor-paged lists: `cursor` (the previous page's nextCursor) and `limit`. */
export function pagingQuery(page: { defaultLimit: number; maxLimit: number }) {
  return {
    cursor: z
      .string()
      .min(1)
      .max(1000, 'at most 1000 characters')
      .optional()
      .describe("The previous page's nextCursor, unchanged, with the same filters"),
    limit: z.coerce
      .number({ message: 'a number' })
      .int('a whole number')
      .min(1, 'at least 1')
      .max(page.maxLimit, `at most ${page.maxLimit}`)
      .default(page.defaultLimit),
  };
}

/** A page of a cursor-paged list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass it as ?cursor= to get the next page; absent on the last'),
  });
}

/**
 * One page of a cursor-paged list as the API answers it: the rows mapped to their views, `nextCursor` only
 * when there is more; a cursor that is not one of this list's is a 400 problem naming it.
 */
export async function answerPage<R, V>(
  load: () => Promise<{ items: R[]; nextCursor?: string }>,
  view: (row: R) => V,
): Promise<{ items: V[]; nextCursor?: string }> {
  try {
    const page = await load();
    return {
      items: page.items.map(view),
      ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    };
  } catch (err) {
    if (!(err instanceof InvalidCursorError)) throw err;
    throw new ProblemError(
      'invalid-request',
      'Invalid query: cursor: pass the nextCursor of the previous page unchanged, with the same filters.',
      { errors: [{ in: 'query', field: 'cursor', message: 'not a cursor of this list' }] },
    );
  }
}
