/**
 * The field schemas of an edit's change set. Object fields also take a JSON string, and numbers
 * the digits a CLI flag carries, so the same schema serves function calls and the command line.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { envKeySchema, envValueSchema, integerBetween } from '../../config/fields.js';
import { customError } from '../../config/input.js';
import { RECORD_TYPES } from '../../config/manifest-schema.js';
import { componentNameSchema, domainNameSchema, recordNameSchema } from '../../config/names.js';

/** A mapping or list given as JSON text (`--set-env '{"LOG_LEVEL":"debug"}'`) is parsed first. */
export function jsonParam<T extends z.ZodType>(schema: T, example: string) {
  return z.preprocess((value: unknown, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON such as ${example}` });
      return z.NEVER;
    }
  }, schema);
}

/** An integer in [min, max], also as the digits of a CLI flag. */
export function countParam(min: number, max: number, message: string) {
  return z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], customError(message))
    .pipe(integerBetween(min, max, message));
}

export const dropletCountSchema = countParam(0, 50, 'must be a whole number of droplets from 0 to 50');
export const instanceCountSchema = countParam(1, 250, 'must be a whole number of instances from 1 to 250');
export const sizeSlugSchema = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, 'must be a size slug such as s-2vcpu-2gb');

const envTypeSchema = z.enum(['GENERAL', 'SECRET'], customError('must be GENERAL or SECRET'));

/** One set_env entry: the value, its type when given, and the component when only one should get it. */
export interface EnvSetting {
  value: string;
  type?: 'GENERAL' | 'SECRET' | undefined;
  component?: string | undefined;
}

/** `"debug"`, or `{ value, type?, component? }`. */
export const envSettingSchema = z.union(
  [
    envValueSchema.transform((value): EnvSetting => ({ value })),
    z.strictObject({
      value: envValueSchema,
      type: envTypeSchema.optional(),
      component: componentNameSchema.optional(),
    }),
  ],
  customError('must be a value, or { "value": …, "type": "GENERAL" | "SECRET", "component": … }'),
);

export interface AppScale {
  instance_count?: number | undefined;
  instance_size_slug?: string | undefined;
}

/** `2`, or `{ instance_count?, instance_size_slug? }`. */
export const appScaleSchema = z.union(
  [
    instanceCountSchema.transform((instance_count): AppScale => ({ instance_count })),
    z.strictObject({
      instance_count: instanceCountSchema.optional(),
      instance_size_slug: sizeSlugSchema.optional(),
    }),
  ],
  customError('must be an instance count, or { "instance_count": …, "instance_size_slug": … }'),
);

export const scaleSchema = z.strictObject({
  app: z.record(componentNameSchema, appScaleSchema).optional(),
  droplets: z
    .strictObject({ count: dropletCountSchema.optional(), size: sizeSlugSchema.optional() })
    .optional(),
});

/** `["A","B"]`, JSON text of it, or `A,B` (a CLI flag). */
export const keyListSchema = z.preprocess(
  (value: unknown) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return value;
      }
    }
    return text.split(',').map((key) => key.trim());
  },
  z.array(
    envKeySchema,
    customError('must be a list of variable names, e.g. ["LOG_LEVEL"] or LOG_LEVEL,DEBUG'),
  ),
);

const recordTypeSchema = z.enum(RECORD_TYPES, customError(`must be one of ${RECORD_TYPES.join(', ')}`));
const ttlSchema = countParam(30, 86400, 'must be a number of seconds between 30 and 86400');

/** Pure: why `data` cannot be the data of a `type` record, or undefined. */
export function recordDataProblem(type: string, data: string): string | undefined {
  if (type === 'A' && isIP(data) !== 4) return 'must be an IPv4 address for an A record';
  if (type === 'AAAA' && isIP(data) !== 6) return 'must be an IPv6 address for an AAAA record';
  if (type === 'CNAME' && data !== '@' && !domainNameSchema.safeParse(data.replace(/\.$/, '')).success) {
    return 'must be a host name for a CNAME record';
  }
  if (type === 'TXT' && (data.length === 0 || data.length > 512)) return 'must be 1 to 512 characters';
  return undefined;
}

const recordAddSchema = z
  .strictObject({
    type: recordTypeSchema,
    name: recordNameSchema,
    data: z.string(),
    ttl: ttlSchema.optional(),
  })
  .superRefine((record, ctx) => {
    const problem = recordDataProblem(record.type, record.data);
    if (problem) ctx.addIssue({ code: 'custom', path: ['data'], message: problem });
    if (record.type === 'CNAME' && record.name === '@') {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'cannot be @: DNS allows no CNAME at the domain itself',
      });
    }
  });
export type RecordAdd = z.output<typeof recordAddSchema>;

const recordRemoveSchema = z.strictObject({
  type: recordTypeSchema,
  name: recordNameSchema,
  /** Without it, every record of that name and type goes. */
  data: z.string().min(1, 'must not be empty').optional(),
});
export type RecordRemove = z.output<typeof recordRemoveSchema>;

export const recordsSchema = z.strictObject({
  add: z.array(recordAddSchema).optional(),
  remove: z.array(recordRemoveSchema).optional(),
});

/** `web=2,worker=1` (CLI): component → value, or undefined with the issue added. */
export function pairsParam<T extends z.ZodType>(value: T, example: string) {
  return z.preprocess(
    (raw: unknown, ctx) => {
      if (typeof raw !== 'string') return raw;
      const pairs = raw.split(',').map((pair) => pair.trim().split('='));
      if (pairs.some((pair) => pair.length !== 2 || !pair[0] || !pair[1])) {
        ctx.addIssue({
          code: 'custom',
          message: `must be component=value pairs separated by commas, e.g. ${example}`,
        });
        return z.NEVER;
      }
      const names = pairs.map(([name]) => name);
      const twice = names.find((name, index) => names.indexOf(name) !== index);
      if (twice !== undefined || names.includes('__proto__')) {
        ctx.addIssue({
          code: 'custom',
          message:
            twice === undefined
              ? '__proto__ is not a component name'
              : 'names a component twice: give each component once',
        });
        return z.NEVER;
      }
      return Object.fromEntries(pairs);
    },
    z.record(componentNameSchema, value),
  );
}
