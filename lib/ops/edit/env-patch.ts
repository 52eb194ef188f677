/**
 * Environment edits as patches of the app's ACTUAL spec (read from DigitalOcean), never of the
 * manifest: every other field and variable stays as it is, app-wide `envs` included (which a
 * whole-spec update such as `doctl apps update --spec` loses when the file lacks them). SECRET
 * values come back encrypted (`EV[…]`) and are sent back that way, which App Platform reads as
 * "unchanged". DigitalOcean never returns a SECRET's value, so a SECRET given in plain text is
 * compared with the keyed digest the tool recorded when it last sent that SECRET
 * (lib/resources/app/proof.ts): the value it already has is no change; without a digest on record it
 * counts as one. The tool's own variables (owner marker, digests) cannot be set or unset here.
 */
import { type AppEnvVar, type AppSpec, COMPONENT_KINDS } from '../../config/app-spec.js';
import type { DigestKey } from '../../config/identity.js';
import type { Problem } from '../../errors.js';
import { type Digests, isToolEnvKey, recordedDigests, stampSpec } from '../../resources/app/proof.js';
import type { EnvSetting } from './input.js';

/** What compares SECRET values by digest: the deployment's slug and the invocation's key. */
export interface SecretDigests {
  slug: string;
  key: DigestKey;
}

/** Whether `value` is the one the digest on record for `path` was made of. */
function isRecorded(
  digests: SecretDigests | undefined,
  recorded: Digests | undefined,
  path: string,
  value: string,
) {
  if (!digests || recorded?.keyId !== digests.key.id) return false;
  const digest = recorded.byPath.get(path);
  return digest !== undefined && digest === digests.key.digest(digests.slug, path, value);
}

export interface EnvList {
  /** `envs` (app-wide) or `services.web.envs`. */
  path: string;
  component?: string;
  envs: AppEnvVar[];
}

/** The env lists of `spec` (app-wide first); `create` adds the app-wide one when absent. */
export function envListsOf(spec: AppSpec, options: { createAppWide?: boolean } = {}): EnvList[] {
  if (options.createAppWide && !spec.envs) spec.envs = [];
  const lists: EnvList[] = spec.envs ? [{ path: 'envs', envs: spec.envs }] : [];
  for (const kind of COMPONENT_KINDS) {
    for (const component of spec[kind] ?? []) {
      if (component.envs)
        lists.push({
          path: `${kind}.${component.name}.envs`,
          component: component.name,
          envs: component.envs,
        });
    }
  }
  return lists;
}

/** The component named `name`, with its list's name, in a spec that is being patched. */
export function findComponent(spec: AppSpec, name: string) {
  for (const kind of COMPONENT_KINDS) {
    const component = spec[kind]?.find((c) => c.name === name);
    if (component) return { kind, component };
  }
  return undefined;
}

export function componentNames(spec: AppSpec): string[] {
  return COMPONENT_KINDS.flatMap((kind) => (spec[kind] ?? []).map((c) => c.name));
}

/** Sets one variable in one list; the change as a plan line, or undefined when nothing changes. */
function setIn(
  list: EnvList,
  key: string,
  setting: EnvSetting,
  same: (path: string, value: string) => boolean,
): string | undefined {
  const where = `${list.path}.${key}`;
  const existing = list.envs.find((e) => e.key === key);
  if (!existing) {
    const type = setting.type ?? 'GENERAL';
    list.envs.push({ key, value: setting.value, scope: 'RUN_AND_BUILD_TIME', type });
    return `${where}: added${type === 'SECRET' ? ' (SECRET)' : ` = ${setting.value}`}`;
  }
  const wasSecret = existing.type === 'SECRET';
  const type = setting.type ?? (wasSecret ? 'SECRET' : existing.type);
  if (type === 'SECRET') {
    // The encrypted form sent back, or the plain value on record, is the value it has: not a change.
    if (wasSecret && (setting.value === existing.value || same(where, setting.value))) return undefined;
    existing.value = setting.value;
    existing.type = 'SECRET';
    return wasSecret ? `${where}: new SECRET value` : `${where}: GENERAL → SECRET`;
  }
  if (
    !wasSecret &&
    (existing.value ?? '') === setting.value &&
    (existing.type ?? 'GENERAL') === (type ?? 'GENERAL')
  )
    return undefined;
  const before = wasSecret ? '(secret)' : (existing.value ?? '');
  existing.value = setting.value;
  if (type !== undefined) existing.type = type;
  return `${where}: ${before} → ${setting.value}`;
}

export interface EnvPatch {
  changes: string[];
  problems: Problem[];
}

/**
 * Patches `spec` in place: each set_env key is set where it is defined (every list holding it),
 * in the component named by `component`, or app-wide when new; each unset_env key is removed
 * wherever it is. Setting a value it already has, or removing what is not there, changes nothing.
 */
export function patchEnvs(
  spec: AppSpec,
  setEnv: Record<string, EnvSetting>,
  unsetEnv: readonly string[],
  digests?: SecretDigests,
): EnvPatch {
  const changes: string[] = [];
  const problems: Problem[] = [];
  const recorded = recordedDigests(spec);
  const same = (path: string, value: string) => isRecorded(digests, recorded, path, value);
  const reserved = (path: string, key: string) =>
    problems.push({ path, message: `${key} is the tool's own (its proof of ownership and SECRET digests)` });
  for (const [key, setting] of Object.entries(setEnv)) {
    if (isToolEnvKey(key)) {
      reserved(`set_env.${key}`, key);
      continue;
    }
    let targets: EnvList[];
    if (setting.component !== undefined) {
      const found = findComponent(spec, setting.component);
      if (!found) {
        problems.push({
          path: `set_env.${key}.component`,
          message: `there is no component named ${setting.component} (the app has ${componentNames(spec).join(', ')})`,
        });
        continue;
      }
      found.component.envs ??= [];
      targets = [
        {
          path: `${found.kind}.${found.component.name}.envs`,
          component: found.component.name,
          envs: found.component.envs,
        },
      ];
    } else {
      targets = envListsOf(spec).filter((l) => l.envs.some((e) => e.key === key));
      if (targets.length === 0) targets = envListsOf(spec, { createAppWide: true }).slice(0, 1);
    }
    for (const list of targets) {
      const change = setIn(list, key, setting, same);
      if (change) changes.push(change);
    }
  }
  for (const key of unsetEnv) {
    if (isToolEnvKey(key)) {
      reserved(`unset_env.${key}`, key);
      continue;
    }
    for (const list of envListsOf(spec)) {
      const index = list.envs.findIndex((e) => e.key === key);
      if (index < 0) continue;
      list.envs.splice(index, 1);
      changes.push(`${list.path}.${key}: removed`);
    }
  }
  // The digests follow the edit (new plain values digested, encrypted ones keep theirs), and the
  // spec sent carries the owner marker; nothing here is a change by itself.
  if (digests && changes.length > 0) spec.envs = stampSpec(spec, digests.slug, digests.key, recorded).envs;
  return { changes, problems };
}
