import { z } from 'zod';
import { DEFAULT_APPROVAL_EXPIRY_DAYS, GOVERNANCE_ACTION_KINDS } from '../../domain/governance';

const noParams = z.strictObject({});
const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address');

/** The parameters each action kind takes (none unless listed); unknown parameters are refused. */
export const GOVERNANCE_PARAMS_SCHEMAS = {
  'remove-shared-link': noParams,
  'restrict-shared-link': z.strictObject({
    access: z.enum(['company', 'collaborators'], {
      message: 'the access to restrict the link to: company or collaborators',
    }),
  }),
  'set-shared-link-expiry': z
    .strictObject({
      unsharedAt: z.iso.datetime({ offset: true, message: 'an ISO 8601 date and time' }).optional(),
      days: z.number().int('a whole number of days').min(1, 'at least 1').max(3650).optional(),
    })
    .refine((p) => (p.unsharedAt === undefined) !== (p.days === undefined), {
      message: 'set-shared-link-expiry needs exactly one of unsharedAt or days',
    }),
  'remove-external-collaborators': noParams,
  'remove-collaborator': z
    .strictObject({
      login: email.optional(),
      collaborationId: z
        .string()
        .regex(/^[0-9]{1,20}$/, 'a Box collaboration id (digits)')
        .optional(),
    })
    .refine((p) => (p.login === undefined) !== (p.collaborationId === undefined), {
      message: 'remove-collaborator needs exactly one of login or collaborationId',
    }),
  'make-private': noParams,
  quarantine: z.strictObject({ contact: email.optional() }),
  restore: noParams,
  trash: noParams,
  'notify-owner': z.strictObject({
    cc: z.array(email).max(20).optional(),
    contact: email.optional(),
  }),
} as const satisfies Record<(typeof GOVERNANCE_ACTION_KINDS)[number], z.ZodType>;

/**
 * One action of a policy, as written in the policy file: what to do to a file the policy matches (newly),
 * whether a person must approve it first and for how long the approval is awaited, and whether it only
 * records what it would do (dryRun). `params` are checked against the kind.
 */
export const policyActionSchema = z
  .strictObject({
    kind: z.enum(GOVERNANCE_ACTION_KINDS, {
      message: `one of ${GOVERNANCE_ACTION_KINDS.join(', ')}`,
    }),
    params: z.record(z.string(), z.unknown()).default({}),
    approval: z.enum(['automatic', 'required'], { message: 'automatic or required' }).default('required'),
    expiresInDays: z
      .number()
      .int('a whole number of days')
      .min(1)
      .max(365)
      .default(DEFAULT_APPROVAL_EXPIRY_DAYS),
    dryRun: z.boolean().default(false),
  })
  .superRefine((action, ctx) => {
    const parsed = GOVERNANCE_PARAMS_SCHEMAS[action.kind].safeParse(action.params);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      ctx.addIssue({
        code: 'custom',
        path: ['params', ...issue.path, ...(key === undefined ? [] : [key])],
        message:
          key === undefined
            ? `${action.kind}: ${issue.message}`
            : `${action.kind} takes no parameter '${key}'`,
      });
    }
  });

/** An action of a policy, defaults filled in. */
export type PolicyAction = z.infer<typeof policyActionSchema>;

/** Validates the parameters of a kind (manual actions from the API); the zod error names each bad field. */
export function parseGovernanceParams(
  kind: (typeof GOVERNANCE_ACTION_KINDS)[number],
  params: unknown,
): ReturnType<(typeof GOVERNANCE_PARAMS_SCHEMAS)[typeof kind]['safeParse']> {
  return GOVERNANCE_PARAMS_SCHEMAS[kind].safeParse(params ?? {});
}
