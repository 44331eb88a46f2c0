import { z } from 'zod';

/** Box shared-link access values: anyone with the link, people in the company, or collaborators only. */
export const SHARED_LINK_ACCESSES = ['open', 'company', 'collaborators'] as const;

/** Who a Box shared link admits. */
export type SharedLinkAccess = (typeof SHARED_LINK_ACCESSES)[number];

/** True when `value` is one of {@link SHARED_LINK_ACCESSES}. */
export function isSharedLinkAccess(value: unknown): value is SharedLinkAccess {
  return (SHARED_LINK_ACCESSES as readonly unknown[]).includes(value);
}

/** One collaboration on the file or an ancestor folder, as Box's `accessible_by` describes it. */
export const collaboratorSchema = z.object({
  type: z.enum(['user', 'group']),
  /** The user's login (an email address); Box groups have none. */
  login: z.string().optional(),
});

/** The sharing of a file, close to Box's `shared_link` and collaborations; plain JSON. */
export const fileSharingSchema = z.object({
  sharedLink: z
    .object({ access: z.enum(SHARED_LINK_ACCESSES) })
    .nullable()
    .optional(),
  collaborators: z.array(collaboratorSchema),
});

/** The sharing of a file: its shared link (if any) and its collaborators. */
export type FileSharing = z.infer<typeof fileSharingSchema>;

/** A collaborator on a file. */
export type Collaborator = z.infer<typeof collaboratorSchema>;
