/**
 * The deployment's domain and DNS records (`domainModule`). Records pointing at droplets or at the
 * app exist only once those do: `desired(deployment, facts)` leaves them pending until then, and the
 * orchestrator plans again after the droplets and the app are ready.
 */
import type { Deployment } from '../../config/manifest.js';
import type { OpContext } from '../../ops/types.js';
import type { Check, ResourceModule } from '../types.js';
import { applyDomain } from './apply.js';
import { type DomainActual, destroyDomain, planDomain } from './plan.js';
import { listRecords, readDomain } from './read.js';
import { type DomainDesired, desiredDomain, keyOf, sameKey } from './records.js';
import { domainWarnings } from './warnings.js';

export type { DomainActual } from './plan.js';
export { type DomainDesired, MARKER_NAME, markerValue, type PendingSet, type RecordSet } from './records.js';

const NO_RESOLVER = 'read back through the DigitalOcean API; no DNS resolver is queried';

/**
 * The records answer with the desired values, as DigitalOcean serves them. Propagation to public
 * resolvers is not checked: there is no resolver to ask here, and the API is the source of truth.
 */
async function verify(ctx: OpContext, _deployment: Deployment, desired: DomainDesired): Promise<Check[]> {
  const records = await listRecords(ctx, desired.domain);
  if (!records)
    return [{ kind: 'domain', name: desired.domain, ok: false, detail: 'the domain does not exist' }];
  const sets = desired.sets.map((set): Check => {
    const present = records.filter((r) => sameKey(r, set)).map((r) => r.data);
    const ok = present.length === set.values.length && set.values.every((v) => present.includes(v));
    const detail = ok
      ? `answers ${set.values.join(', ')} (${NO_RESOLVER})`
      : `answers ${present.join(', ') || 'nothing'}, expected ${set.values.join(', ')} (${NO_RESOLVER})`;
    return { kind: 'record', name: `${keyOf(set)}.${desired.domain}`, ok, detail };
  });
  const pending = desired.pending.map(
    (p): Check => ({
      kind: 'record',
      name: `${keyOf(p)}.${desired.domain}`,
      ok: false,
      detail: `waiting for ${p.waitingFor}`,
    }),
  );
  return [...sets, ...pending];
}

export const domainModule: ResourceModule<DomainDesired, DomainActual> = {
  kind: 'domain',
  desired: desiredDomain,
  read: readDomain,
  plan: planDomain,
  apply: applyDomain,
  destroy: destroyDomain,
  warnings: domainWarnings,
  verify,
};
