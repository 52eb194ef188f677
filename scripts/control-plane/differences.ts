/**
 * What differs between a wanted package or action and the one the namespace holds, in words that
 * name the field and never its value (parameters and the web secret are secrets).
 */
import { ANNOTATIONS } from './marks.js';
import type { ActionBody, KeyVal, OwAction, OwPackage, PackageBody } from './openwhisk.js';

export function packageDifferences(desired: PackageBody, actual: OwPackage): string[] {
  return [
    ...parameterDifferences(desired.parameters, actual.parameters),
    ...annotationDifferences(desired.annotations, actual.annotations),
  ];
}

export function actionDifferences(desired: ActionBody, actual: OwAction): string[] {
  const diffs: string[] = [];
  if (actual.exec.kind !== desired.exec.kind)
    diffs.push(`runtime ${actual.exec.kind} → ${desired.exec.kind}`);
  if ((actual.exec.main ?? '') !== (desired.exec.main ?? '')) diffs.push('entry point changed');
  if (actual.exec.binary !== desired.exec.binary) diffs.push('code format changed');
  const code = annotation(actual.annotations, ANNOTATIONS.codeSha256);
  const wantedCode = annotation(desired.annotations, ANNOTATIONS.codeSha256);
  if (code !== wantedCode) diffs.push(code === undefined ? 'code not deployed by base2-do' : 'code changed');
  diffs.push(
    ...annotationDifferences(
      desired.annotations.filter((a) => a.key !== ANNOTATIONS.codeSha256),
      actual.annotations,
    ),
  );
  diffs.push(...parameterDifferences(desired.parameters, actual.parameters));
  for (const [key, value] of Object.entries(desired.limits)) {
    if (actual.limits[key] !== value)
      diffs.push(`limits.${key} ${actual.limits[key] ?? 'default'} → ${value}`);
  }
  return diffs;
}

/** Only the keys we set are compared: the platform adds annotations of its own (`exec`, …). */
function annotationDifferences(desired: readonly KeyVal[], actual: readonly KeyVal[]): string[] {
  const diffs: string[] = [];
  for (const { key, value } of desired) {
    if (sameValue(annotation(actual, key), value)) continue;
    diffs.push(key === 'require-whisk-auth' ? 'web secret changed' : `annotation ${key} changed`);
  }
  return diffs;
}

function parameterDifferences(desired: readonly KeyVal[], actual: readonly KeyVal[]): string[] {
  const have = new Map(actual.map((kv) => [kv.key, kv]));
  const want = new Map(desired.map((kv) => [kv.key, kv]));
  const added = [...want.keys()].filter((key) => !have.has(key));
  const removed = [...have.keys()].filter((key) => !want.has(key));
  const changed = [...want.values()]
    .filter((kv) => {
      const old = have.get(kv.key);
      return old !== undefined && (!sameValue(old.value, kv.value) || Boolean(old.init) !== Boolean(kv.init));
    })
    .map((kv) => kv.key);
  const diffs: string[] = [];
  if (added.length > 0) diffs.push(`parameters added: ${added.join(', ')}`);
  if (removed.length > 0) diffs.push(`parameters removed: ${removed.join(', ')}`);
  if (changed.length > 0) diffs.push(`parameters changed: ${changed.join(', ')}`);
  return diffs;
}

export function annotation(list: readonly KeyVal[], key: string): unknown {
  return list.find((kv) => kv.key === key)?.value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)]),
  );
}
