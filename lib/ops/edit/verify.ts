/**
 * After an edit: read again and check each touched part — the app's new deployment is the live one
 * and its live URL shows the change, the droplets are as many and as large as asked and answer,
 * records added are there and removed ones are gone.
 */
import type { Deployment } from '../../config/manifest.js';
import { appModule, findApp } from '../../resources/app/index.js';
import { listRecords } from '../../resources/domain/read.js';
import { keyOf, sameKey } from '../../resources/domain/records.js';
import { type DesiredDroplets, dropletsModule, parseDropletName } from '../../resources/droplets/index.js';
import type { Check } from '../../resources/types.js';
import type { OpContext } from '../types.js';
import type { AppEdit } from './app-edit.js';
import type { ChangeSet } from './input.js';
import { liveEnvCheck } from './live-env.js';
import type { EditPlan } from './plan.js';
import type { RecordEdit } from './records-edit.js';

async function verifyAppEdit(
  ctx: OpContext,
  deployment: Deployment,
  edit: AppEdit,
  changes: ChangeSet,
): Promise<Check[]> {
  const checks = await appModule.verify(ctx, deployment, edit.next);
  const app = await findApp(ctx, deployment.slug);
  if (!app?.active || checks.some((c) => !c.ok)) return checks;
  if (edit.activeBefore !== undefined) {
    const replaced = app.active.id !== edit.activeBefore;
    checks.push({
      kind: 'app',
      name: `${app.name} deployment`,
      ok: replaced,
      detail: replaced
        ? `deployment ${app.active.id} replaced ${edit.activeBefore}`
        : `deployment ${edit.activeBefore} is still the live one: the edit did not go live`,
    });
  }
  const touched = [...Object.keys(changes.app.setEnv), ...changes.app.unsetEnv];
  if (touched.length > 0)
    checks.push(await liveEnvCheck(ctx, app, edit.next.spec, edit.next.verify, touched));
  return checks;
}

/** Pure: the droplets of the desired generation are exactly the desired names, each of the desired size. */
export function dropletShapeCheck(
  desired: DesiredDroplets,
  owned: ReadonlyArray<{ name: string; size: string }>,
): Check {
  const current = owned.filter(
    (d) => parseDropletName(d.name, desired.slug)?.generation === desired.generation,
  );
  const names = [...new Set(current.map((d) => d.name))].sort();
  const wrongSize = current.filter((d) => d.size !== desired.size).map((d) => `${d.name} (${d.size})`);
  const ok =
    names.join() === [...desired.names].sort().join() &&
    current.length === names.length &&
    wrongSize.length === 0;
  const detail = ok
    ? `${desired.count} droplet(s) of generation ${desired.generation}, size ${desired.size}, as asked`
    : `asked for ${desired.count} × ${desired.size}, found ${names.length ? names.join(', ') : 'none'}${wrongSize.length ? `; other size: ${wrongSize.join(', ')}` : ''}`;
  return { kind: 'droplet', name: `droplets of ${desired.slug}`, ok, detail };
}

export async function verifyDropletEdit(
  ctx: OpContext,
  deployment: Deployment,
  desired: DesiredDroplets,
): Promise<Check[]> {
  const [actual, checks] = await Promise.all([
    dropletsModule.read(ctx, deployment),
    dropletsModule.verify(ctx, deployment, desired),
  ]);
  return [dropletShapeCheck(desired, actual.owned), ...checks];
}

/** Records added are there and removed ones gone, as DigitalOcean lists them now. */
export async function verifyRecordEdit(ctx: OpContext, edit: RecordEdit): Promise<Check[]> {
  const records = (await listRecords(ctx, edit.domain)) ?? [];
  const present = (r: { type: string; name: string; data: string }) =>
    records.some((x) => sameKey(x, r) && x.data === r.data);
  return [
    ...edit.added.map((r): Check => {
      const ok = present(r);
      return {
        kind: 'record',
        name: `${keyOf(r)}.${edit.domain}`,
        ok,
        detail: ok ? `answers ${r.data}` : `${r.data} is missing`,
      };
    }),
    ...edit.removed.map((r): Check => {
      const ok = !present(r);
      return {
        kind: 'record',
        name: `${keyOf(r)}.${edit.domain}`,
        ok,
        detail: ok ? `${r.data} is gone` : `${r.data} is still there`,
      };
    }),
  ];
}

/** Every check of the parts the edit touched. */
export async function verifyEdit(
  ctx: OpContext,
  deployment: Deployment,
  plan: EditPlan,
  changes: ChangeSet,
): Promise<Check[]> {
  const parts = await Promise.all([
    plan.app && (plan.app.step || plan.app.continuing)
      ? verifyAppEdit(ctx, deployment, plan.app, changes)
      : [],
    plan.droplets && plan.droplets.steps.length > 0
      ? verifyDropletEdit(ctx, deployment, plan.droplets.next)
      : [],
    plan.records && plan.records.steps.length > 0 ? verifyRecordEdit(ctx, plan.records) : [],
  ]);
  return parts.flat();
}
