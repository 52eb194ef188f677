/**
 * The edit's input: a change set, validated as a whole before anything is read or changed, every
 * problem named by its path. On the command line (`npm run invoke -- edit …`):
 *   --droplet-count 3            scale.droplets.count
 *   --droplet-size s-2vcpu-2gb   scale.droplets.size
 *   --app-instances web=2        scale.app.web.instance_count (pairs separated by commas)
 *   --app-size web=apps-s-1vcpu-1gb   scale.app.web.instance_size_slug
 *   --set-env '{"LOG_LEVEL":"debug","API_KEY":{"value":"…","type":"SECRET"}}'
 *   --unset-env LOG_LEVEL,OLD_FLAG
 *   --image-tag 1.4.2 | --image-digest sha256:…
 *   --records '{"add":[{"type":"A","name":"www","data":"203.0.113.7"}]}'
 *   --scale '{"app":{"web":2},"droplets":{"count":3}}'   (the nested form, as JSON)
 *   --dry-run                    show the plan only;  --lock-wait 30   seconds to wait for another operation
 *   --resume 3f9a0c1d            continue an edit that answered in_progress, under the lock it kept
 * Function calls pass the nested fields as JSON values (or as JSON text, like the CLI).
 */
import * as z from 'zod';
import { envKeySchema } from '../../config/fields.js';
import { imageDigestSchema, imageTagSchema } from '../../config/image.js';
import { commonInputSchema } from '../../config/input.js';
import { lockInputShape, resumeInputShape } from '../../lock/input.js';
import {
  type AppScale,
  dropletCountSchema,
  type EnvSetting,
  envSettingSchema,
  instanceCountSchema,
  jsonParam,
  keyListSchema,
  pairsParam,
  type RecordAdd,
  type RecordRemove,
  recordsSchema,
  scaleSchema,
  sizeSlugSchema,
} from './input-fields.js';

export type { AppScale, EnvSetting, RecordAdd, RecordRemove } from './input-fields.js';

/** Everything an edit asks for, normalized: empty parts ask for nothing. */
export interface ChangeSet {
  app: { scale: Record<string, AppScale>; setEnv: Record<string, EnvSetting>; unsetEnv: string[] };
  droplets: { count?: number; size?: string };
  image?: { tag: string } | { digest: string };
  records: { add: RecordAdd[]; remove: RecordRemove[] };
}

// Strict: a misspelt field would otherwise drop its change without a word.
const rawSchema = z.strictObject({
  ...commonInputSchema.shape,
  scale: jsonParam(scaleSchema, '{"app":{"web":2},"droplets":{"count":3}}').optional(),
  set_env: jsonParam(z.record(envKeySchema, envSettingSchema), '{"LOG_LEVEL":"debug"}').optional(),
  unset_env: keyListSchema.optional(),
  image_tag: imageTagSchema.optional(),
  image_digest: imageDigestSchema.optional(),
  records: jsonParam(recordsSchema, '{"add":[{"type":"A","name":"www","data":"203.0.113.7"}]}').optional(),
  droplet_count: dropletCountSchema.optional(),
  droplet_size: sizeSlugSchema.optional(),
  app_instances: pairsParam(instanceCountSchema, 'web=2,worker=1').optional(),
  app_size: pairsParam(sizeSlugSchema, 'web=apps-s-1vcpu-1gb').optional(),
  ...lockInputShape,
  ...resumeInputShape,
});
type RawInput = z.output<typeof rawSchema>;

type Issue = { path: (string | number)[]; message: string };

/** Flags that say the same as a nested field must not both be given. */
function duplicates(raw: RawInput): Issue[] {
  const issues: Issue[] = [];
  const twice = (path: string, nested: string) =>
    issues.push({ path: [path], message: `says the same as ${nested}: give one of them` });
  if (raw.droplet_count !== undefined && raw.scale?.droplets?.count !== undefined)
    twice('droplet_count', 'scale.droplets.count');
  if (raw.droplet_size !== undefined && raw.scale?.droplets?.size !== undefined)
    twice('droplet_size', 'scale.droplets.size');
  for (const name of Object.keys(raw.app_instances ?? {}))
    if (raw.scale?.app?.[name] !== undefined) twice('app_instances', `scale.app.${name}`);
  for (const name of Object.keys(raw.app_size ?? {}))
    if (raw.scale?.app?.[name] !== undefined) twice('app_size', `scale.app.${name}`);
  if (raw.image_tag !== undefined && raw.image_digest !== undefined) {
    issues.push({ path: ['image_digest'], message: 'cannot be given together with image_tag: choose one' });
  }
  return issues;
}

/** Changes that contradict each other within the set. */
function contradictions(changes: ChangeSet): Issue[] {
  const issues: Issue[] = [];
  changes.app.unsetEnv.forEach((key, index) => {
    if (key in changes.app.setEnv)
      issues.push({ path: ['unset_env', index], message: `${key} is also in set_env` });
  });
  changes.records.remove.forEach((r, index) => {
    const added = changes.records.add.some(
      (a) => a.type === r.type && a.name === r.name && (r.data ?? a.data) === a.data,
    );
    if (added) issues.push({ path: ['records', 'remove', index], message: 'is also in records.add' });
  });
  return issues;
}

function changeSetOf(raw: RawInput): ChangeSet {
  const scale: Record<string, AppScale> = { ...raw.scale?.app };
  for (const [name, count] of Object.entries(raw.app_instances ?? {}))
    scale[name] = { ...scale[name], instance_count: count };
  for (const [name, size] of Object.entries(raw.app_size ?? {}))
    scale[name] = { ...scale[name], instance_size_slug: size };
  const count = raw.droplet_count ?? raw.scale?.droplets?.count;
  const size = raw.droplet_size ?? raw.scale?.droplets?.size;
  return {
    app: { scale, setEnv: { ...raw.set_env }, unsetEnv: [...new Set(raw.unset_env ?? [])] },
    droplets: { ...(count === undefined ? {} : { count }), ...(size === undefined ? {} : { size }) },
    ...(raw.image_digest !== undefined
      ? { image: { digest: raw.image_digest } }
      : raw.image_tag !== undefined
        ? { image: { tag: raw.image_tag } }
        : {}),
    records: { add: raw.records?.add ?? [], remove: raw.records?.remove ?? [] },
  };
}

/** Pure: whether the set asks for anything at all. */
export function isEmptyChangeSet(changes: ChangeSet): boolean {
  const { app, droplets, image, records } = changes;
  return (
    Object.keys(app.scale).length === 0 &&
    Object.keys(app.setEnv).length === 0 &&
    app.unsetEnv.length === 0 &&
    droplets.count === undefined &&
    droplets.size === undefined &&
    image === undefined &&
    records.add.length === 0 &&
    records.remove.length === 0
  );
}

export const editInputSchema = rawSchema
  .superRefine((raw, ctx) => {
    const changes = changeSetOf(raw);
    const issues = [...duplicates(raw), ...contradictions(changes)];
    if (isEmptyChangeSet(changes)) {
      issues.push({
        path: [],
        message:
          'asks for no change: give scale, set_env, unset_env, image_tag, image_digest or records (or their flags)',
      });
    }
    for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform((raw) => ({
    ...(raw.env === undefined ? {} : { env: raw.env }),
    dry_run: raw.dry_run,
    ...(raw.lock_wait === undefined ? {} : { lock_wait: raw.lock_wait }),
    ...(raw.resume === undefined ? {} : { resume: raw.resume }),
    changes: changeSetOf(raw),
  }));

export type EditInput = z.output<typeof editInputSchema>;

/** Pure: the SECRET values a change set carries, to be masked before anything can log them. */
export function secretsOf(changes: ChangeSet): string[] {
  return Object.values(changes.app.setEnv).flatMap((s) => (s.type === 'SECRET' ? [s.value] : []));
}
