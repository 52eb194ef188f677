/**
 * Droplets left powered off are one of maintain's safe repairs. An edit or deploy killed mid-resize
 * leaves its droplet off — at the old size or the new — until someone deploys, and a droplet that
 * is off serves nothing. Deploy's plan says "power on" only for a droplet at deployment.yml's size;
 * one off at another size is planned as a resize, which maintain only reports, so it gets a power
 * on at the size it has beside that (pure). Droplets being deleted are not among the owned ones,
 * and the lock maintain takes before repairing keeps it off droplets a live operation is resizing.
 */
import { type ActualDroplets, type DropletPayload, powerOnStep } from '../../resources/droplets/index.js';
import type { KindPlan } from '../converge.js';

export function withPowerOns(plans: readonly KindPlan[], actual: ActualDroplets | undefined): KindPlan[] {
  const index = plans.findIndex((p) => p.kind === 'droplet');
  const plan = plans[index];
  if (!plan || !actual) return [...plans];
  const poweredOn = new Set(
    plan.steps.filter((s) => (s.payload as DropletPayload | undefined)?.type === 'power-on').map((s) => s.id),
  );
  const extra = actual.owned
    .filter((d) => d.status === 'off' && !poweredOn.has(String(d.id)))
    .map(powerOnStep);
  if (extra.length === 0) return [...plans];
  const next = [...plans];
  next[index] = { ...plan, steps: [...plan.steps, ...extra] };
  return next;
}
