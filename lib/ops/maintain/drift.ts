/**
 * Pure: every difference deploy would act on becomes a drift entry, and each is sorted into what
 * maintain repairs (safe to put back), cleans up (left by an interrupted deploy) or only reports.
 */
import type { Deployment } from '../../config/manifest.js';
import { isLeftAlone } from '../../resources/app/index.js';
import { keyOf, relativeName } from '../../resources/domain/records.js';
import type { DropletPayload } from '../../resources/droplets/index.js';
import type { PlanStep } from '../../resources/types.js';
import type { KindPlan } from '../converge.js';
import type { DriftEntry, Treatment } from './types.js';

export interface Classified {
  drift: DriftEntry[];
  /** Per kind, only the steps maintain may apply. */
  repairs: KindPlan[];
  /** Deletions of droplet generations an interrupted deploy left (deferred retire steps). */
  cleanup: PlanStep[];
}

type Verdict = [Treatment, string];

const RUN_DEPLOY = 'run deploy to converge it';

export const NOTES = {
  recreate: "missing: re-created with the deployment's image, size and tags",
  replacing:
    "the running droplets are of another generation than deployment.yml's (its image, user_data or SSH key changed, or a deploy did not finish): run deploy to replace them",
  noKey: 'the SSH key droplets are created with is missing, so nothing is re-created: run deploy',
  resize: `maintain does not resize droplets (a resize powers them off): ${RUN_DEPLOY}`,
  powerOn:
    'left powered off (an operation killed mid-resize, or by hand): powered on at the size it has, and its health URL must answer again',
  ipv6: 'IPv6 enabled, as deployment.yml asks (the droplet keeps running)',
  retire: 'an older generation an interrupted deploy left: deleted once the current generation is healthy',
  deleting:
    'deleted by an earlier operation and still listed by DigitalOcean: deleted again, and waited for until it is gone',
  surplus: `maintain never deletes droplets other than a generation an interrupted deploy left: ${RUN_DEPLOY}`,
  firewall: "restored to deployment.yml's rules",
  firewallDuplicate: `a duplicate of the deployment's firewall: ${RUN_DEPLOY}`,
  dns: 'restored as deployment.yml says',
  dnsDelete: `maintain does not delete DNS records: ${RUN_DEPLOY}`,
  dnsFollows: 'points at the droplets: planned again once the re-created droplets have their addresses',
  app: 'maintain never changes the app (an app spec update redeploys it): run deploy to converge it, or edit for a single change',
  appUnproven:
    "the app has the deployment's name but no proof that this tool made it: maintain never touches it; rename it, or run deploy with --adopt-app if it is this deployment's",
  other: RUN_DEPLOY,
} as const;

const payloadType = (step: PlanStep) => (step.payload as DropletPayload | undefined)?.type;
const isRetire = (step: PlanStep) => step.action === 'delete' && payloadType(step) === 'retire';

function dropletVerdicts(steps: readonly PlanStep[], keyMissing: boolean): Map<PlanStep, Verdict> {
  const creating = steps.some((s) => s.action === 'create');
  const replacing = steps.some(isRetire);
  const verdicts = new Map<PlanStep, Verdict>();
  for (const step of steps) {
    if (step.action === 'create') {
      verdicts.set(
        step,
        replacing
          ? ['report', NOTES.replacing]
          : keyMissing
            ? ['report', NOTES.noKey]
            : ['repair', NOTES.recreate],
      );
    } else if (payloadType(step) === 'finish-delete') {
      // The tool already decided to delete it (and said so in DigitalOcean): finishing is safe.
      verdicts.set(step, ['repair', NOTES.deleting]);
    } else if (isRetire(step)) {
      verdicts.set(step, creating ? ['report', NOTES.replacing] : ['cleanup', NOTES.retire]);
    } else if (step.action === 'delete') {
      verdicts.set(step, ['report', NOTES.surplus]);
    } else if (payloadType(step) === 'power-on') {
      verdicts.set(step, ['repair', NOTES.powerOn]);
    } else if (payloadType(step) === 'enable-ipv6') {
      verdicts.set(step, ['repair', NOTES.ipv6]);
    } else {
      verdicts.set(step, ['report', NOTES.resize]);
    }
  }
  return verdicts;
}

/** Pure: the keys (`A @`) of the records deployment.yml points at the droplets. */
export function dropletRecords(deployment: Deployment): Set<string> {
  const records = deployment.domain?.records ?? [];
  return new Set(
    records
      .filter((r) => r.target === 'droplets')
      .map((r) => keyOf({ type: r.type, name: relativeName(r.name) })),
  );
}

/** Which record steps only say that droplets are being re-created (their addresses change). */
interface DriftContext {
  /** `A @`-style keys of the records deployment.yml points at the droplets. */
  dropletRecords: ReadonlySet<string>;
  recreating: boolean;
}

function verdictOf(plan: KindPlan, step: PlanStep, context: DriftContext): Verdict {
  switch (plan.kind) {
    case 'firewall':
      return step.action === 'delete' ? ['report', NOTES.firewallDuplicate] : ['repair', NOTES.firewall];
    case 'domain':
      if (context.recreating && step.kind === 'record' && context.dropletRecords.has(step.name)) {
        return ['repair', NOTES.dnsFollows];
      }
      return step.action === 'delete' ? ['report', NOTES.dnsDelete] : ['repair', NOTES.dns];
    case 'app':
      return ['report', isLeftAlone(step) ? NOTES.appUnproven : NOTES.app];
    default:
      return ['report', NOTES.other];
  }
}

function entry(step: PlanStep, [treatment, note]: Verdict): DriftEntry {
  return { kind: step.kind, name: step.name, action: step.action, what: step.reason, treatment, note };
}

/**
 * Sorts every non-noop step of `plans`. `dropletRecords` names the DNS records that follow the
 * droplets: while droplets are re-created, their steps are planned again once the droplets are up.
 */
export function classifyDrift(
  plans: readonly KindPlan[],
  dropletRecords: ReadonlySet<string> = new Set(),
): Classified {
  const keyMissing = plans.some((p) => p.kind === 'ssh_key' && p.steps.some((s) => s.action !== 'noop'));
  const dropletSteps =
    plans.find((p) => p.kind === 'droplet')?.steps.filter((s) => s.action !== 'noop') ?? [];
  const droplets = dropletVerdicts(dropletSteps, keyMissing);
  const recreating = [...droplets].some(
    ([step, [treatment]]) => treatment === 'repair' && step.action === 'create',
  );
  const result: Classified = { drift: [], repairs: [], cleanup: [] };
  for (const plan of plans) {
    // An app left alone for want of proof is reported too: maintain is not clean while it is there.
    const changes = plan.steps.filter((s) => s.action !== 'noop' || isLeftAlone(s));
    const repairs: PlanStep[] = [];
    for (const step of changes) {
      const verdict = droplets.get(step) ?? verdictOf(plan, step, { dropletRecords, recreating });
      result.drift.push(entry(step, verdict));
      if (verdict[0] === 'repair') repairs.push(step);
      if (verdict[0] === 'cleanup') result.cleanup.push(step);
    }
    if (repairs.length > 0) result.repairs.push({ kind: plan.kind, desired: plan.desired, steps: repairs });
  }
  return result;
}
