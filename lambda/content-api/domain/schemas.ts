// zod/mini: the tree-shakable build of zod, about 20 KB in the bundle instead of 400 KB.
import * as z from 'zod/mini';
import { ROLES } from './model';

/** Ids of spaces, content types and slugs. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Largest `fields` object, serialized. */
export const MAX_FIELDS_BYTES = 256 * 1024;

const name = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .check(z.regex(NAME_PATTERN, { error: `${what} must match ${NAME_PATTERN.source}` }));

const fields = z.record(z.string(), z.unknown(), { error: 'fields must be a JSON object' }).check(
  z.refine((f) => Buffer.byteLength(JSON.stringify(f)) <= MAX_FIELDS_BYTES, {
    error: 'fields must be at most 256 KiB',
  }),
);

export const spaceIdSchema = name('space');
export const uuidSchema = z.uuid({ error: 'id must be a UUID' });

export const newEntrySchema = z.strictObject({
  contentType: name('contentType'),
  slug: name('slug'),
  fields,
});
export type NewEntry = z.infer<typeof newEntrySchema>;

export const entryPatchSchema = z
  .strictObject({ slug: z.optional(name('slug')), fields: z.optional(fields) })
  .check(
    z.refine((p) => p.slug !== undefined || p.fields !== undefined, {
      error: 'send slug, fields or both',
    }),
  );
export type EntryPatch = z.infer<typeof entryPatchSchema>;

export const newKeySchema = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .check(
      z.trim(),
      z.minLength(1, { error: 'name must not be empty' }),
      z.maxLength(100, { error: 'name must be at most 100 characters' }),
    ),
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }),
});
export type NewKey = z.infer<typeof newKeySchema>;

/** Roles a support grant may give: never admin (keys, grants, the audit log). */
export const SUPPORT_ROLES = ['read', 'write'] as const;
/** Longest support grant, in hours. */
export const MAX_GRANT_HOURS = 72;

export const newSupportGrantSchema = z.strictObject({
  reason: z
    .string({ error: 'reason must be a string' })
    .check(
      z.trim(),
      z.minLength(1, { error: 'reason must not be empty' }),
      z.maxLength(500, { error: 'reason must be at most 500 characters' }),
    ),
  hours: z.number({ error: 'hours must be a number' }).check(
    z.refine((h) => Number.isInteger(h) && h >= 1 && h <= MAX_GRANT_HOURS, {
      error: `hours must be a whole number from 1 to ${MAX_GRANT_HOURS}`,
    }),
  ),
  role: z._default(
    z.enum(SUPPORT_ROLES, { error: `role must be one of ${SUPPORT_ROLES.join(', ')}` }),
    'read',
  ),
});
export type NewSupportGrant = z.infer<typeof newSupportGrantSchema>;

const limit = (max: number, fallback: number) =>
  z._default(
    z.pipe(
      z
        .string()
        .check(z.regex(/^[0-9]{1,3}$/, { error: `limit must be a whole number from 1 to ${max}` })),
      z.pipe(
        z.transform(Number),
        z
          .number()
          .check(z.refine((n) => n >= 1 && n <= max, { error: `limit must be from 1 to ${max}` })),
      ),
    ),
    fallback,
  );

const cursor = z.optional(z.string().check(z.maxLength(512, { error: 'cursor is invalid' })));
const preview = z.optional(z.enum(['true', 'false'], { error: 'preview must be true or false' }));

export const listEntriesQuerySchema = z.object({
  contentType: z.optional(name('contentType')),
  limit: limit(100, 20),
  cursor,
  preview,
});

export const auditQuerySchema = z.object({ limit: limit(100, 50), cursor });

export const supportGrantsQuerySchema = z.object({ limit: limit(100, 50), cursor });

export const previewQuerySchema = z.object({ preview });
