/**
 * DNS records that point at the droplets (`target: droplets`) follow a change of which
 * droplets serve: before a scale-down deletes droplets, the records drop their addresses; once a
 * new generation or added droplets have verified, the records move to them, before the droplets
 * they replace are retired. So no record points at a droplet that is gone.
 */
import type { Deployment } from '../config/manifest.js';
import { domainModule } from '../resources/domain/index.js';
import { dropletFacts, dropletsModule } from '../resources/droplets/index.js';
import type { AppliedStep, Facts } from '../resources/types.js';
import type { OpContext } from './types.js';

/** The deployment with only its records that point at the droplets; undefined when it has none. */
export function dropletRecordsOnly(deployment: Deployment): Deployment | undefined {
  const domain = deployment.domain;
  const records = domain?.records.filter((r) => r.target === 'droplets') ?? [];
  if (!domain || records.length === 0) return undefined;
  return { ...deployment, domain: { ...domain, records } };
}

/**
 * Points the records at the droplets named `names` that are up (nothing happens when none is:
 * the records keep what they have). Only those records are planned, so records added by an edit
 * or by hand stay as they are. Returns what it changed.
 */
export async function pointRecordsAt(
  ctx: OpContext,
  deployment: Deployment,
  names: readonly string[],
): Promise<AppliedStep[]> {
  const scoped = dropletRecordsOnly(deployment);
  if (!scoped) return [];
  const [domain, droplets] = await Promise.all([
    domainModule.read(ctx, scoped),
    dropletsModule.read(ctx, deployment),
  ]);
  if (!domain.exists) return [];
  const wanted = new Set(names);
  const serving = dropletFacts({ ...droplets, owned: droplets.owned.filter((d) => wanted.has(d.name)) });
  if ((serving.dropletIpv4 ?? []).length === 0) return [];
  const facts: Facts = { dropletIpv4: [], ...serving };
  const desired = domainModule.desired(scoped, facts);
  const steps = domainModule.plan(desired, domain).filter((s) => s.kind === 'record' && s.action !== 'noop');
  if (steps.length === 0) return [];
  ctx.progress({ step: 'pointing DNS at the droplets', detail: `${steps.length} record change(s)` });
  return domainModule.apply(ctx, scoped, steps);
}
