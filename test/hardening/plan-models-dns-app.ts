/**
 * The DNS and app parts of the planners' model of DigitalOcean (see plan-models.ts): random actual
 * states and what applying a plan's steps does to them.
 */
import fc from 'fast-check';
import type { Deployment } from '../../lib/config/manifest.js';
import type { AppActual, AppDesired, AppPayload, AppState } from '../../lib/resources/app/index.js';
import { withImage } from '../../lib/resources/app/index.js';
import type { DomainActual, DomainDesired } from '../../lib/resources/domain/index.js';
import { MARKER_NAME, markerValue } from '../../lib/resources/domain/index.js';
import type { RecordWrite } from '../../lib/resources/domain/plan.js';
import { canonicalData, type ExistingRecord } from '../../lib/resources/domain/records.js';
import type { PlanStep } from '../../lib/resources/types.js';
import { changesOf } from './plan-models.js';

// DNS ---------------------------------------------------------------------------------------------

export function domainWorld(
  desired: DomainDesired,
  managed: DomainActual['managed'],
): fc.Arbitrary<DomainActual> {
  const ip = fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '192.0.2.9');
  // Names a CNAME and other records contend for too (`app`, `www`): a type change in the manifest.
  const record = fc.oneof(
    fc.record({ type: fc.constant('A'), name: fc.constantFrom('@', 'www', 'app'), data: ip }),
    fc.record({
      type: fc.constant('CNAME'),
      name: fc.constantFrom('app', 'docs', 'www'),
      data: fc.constantFrom('base2-staging.ondigitalocean.app', 'elsewhere.example.net'),
    }),
    fc.record({
      type: fc.constant('TXT'),
      name: fc.constantFrom('@', MARKER_NAME, 'app'),
      data: fc.constantFrom('v=spf1 -all', markerValue(desired.slug)),
    }),
  );
  const withTtl = fc.record({ r: record, ttl: fc.constantFrom(300, 1800, 3600) });
  return fc
    .record({ exists: fc.boolean(), records: fc.array(withTtl, { maxLength: 8 }) })
    .map(({ exists, records }) => ({
      slug: desired.slug,
      domain: desired.domain,
      exists,
      records: exists
        ? [
            { id: 1, type: 'SOA', name: '@', data: '1800', ttl: 1800 },
            { id: 2, type: 'NS', name: '@', data: 'ns1.digitalocean.com', ttl: 1800 },
            ...records.map(({ r, ttl }, i) => ({ id: 10 + i, ...r, ttl })),
          ]
        : [],
      managed,
    }));
}

export function applyDomain(
  actual: DomainActual,
  steps: readonly PlanStep[],
  id: () => number,
): DomainActual {
  let { records, exists } = actual;
  const domain = actual.domain ?? '';
  const write = (payload: RecordWrite, recordId: number): ExistingRecord => ({
    id: recordId,
    type: payload.type,
    name: payload.name,
    data: canonicalData(payload.type, payload.data, domain),
    ttl: payload.ttl,
  });
  for (const s of changesOf(steps)) {
    if (s.kind === 'domain' && s.action === 'create') {
      exists = true;
      records = [
        ...records,
        { id: id(), type: 'TXT', name: MARKER_NAME, data: markerValue(actual.slug), ttl: 300 },
      ];
    } else if (s.action === 'create') records = [...records, write(s.payload as RecordWrite, id())];
    else if (s.action === 'update')
      records = records.map((r) => (String(r.id) === s.id ? write(s.payload as RecordWrite, r.id) : r));
    else if (s.action === 'delete') records = records.filter((r) => String(r.id) !== s.id);
  }
  return { ...actual, exists, records };
}

// App ---------------------------------------------------------------------------------------------

export const TAGS = ['latest', '1.4.2', '1.5.0'] as const;

export function appDesired(deployment: Deployment, tag: string): AppDesired {
  return { spec: withImage(deployment.app!.spec, { tag }), verify: { path: '/', expect_status: 200 } };
}

export function appWorld(deployment: Deployment): fc.Arbitrary<AppActual> {
  const spec = fc.constantFrom(...TAGS).map((tag) => appDesired(deployment, tag).spec);
  const deploymentState = (phase: string) =>
    spec.map((s) => ({
      id: `d-${phase}`,
      phase,
      spec: s,
      progress: { success: 0, total: 0, error: 0, steps: [] },
    }));
  const app = fc.record({
    spec,
    active: fc.option(deploymentState('ACTIVE'), { nil: undefined }),
    inProgress: fc.option(deploymentState('BUILDING'), { nil: undefined }),
  });
  return fc
    .record({ app: fc.option(app, { nil: undefined }), lookAlike: fc.boolean() })
    .map(({ app: a, lookAlike }) => ({
      ...(a ? { app: { id: 'app-1', name: deployment.slug, ...a } as AppState } : {}),
      lookAlikes: lookAlike ? [{ id: 'app-2', name: `${deployment.slug}-copy` }] : [],
    }));
}

export function applyApp(actual: AppActual, steps: readonly PlanStep[], desired: AppDesired): AppActual {
  let app = actual.app;
  for (const s of changesOf(steps)) {
    const payload = s.payload as AppPayload | undefined;
    const live = (spec: AppState['spec']) => ({
      id: 'd-new',
      phase: 'ACTIVE',
      spec,
      progress: { success: 1, total: 1, error: 0, steps: [] },
    });
    if (s.action === 'create')
      app = { id: 'app-new', name: s.name, spec: desired.spec, active: live(desired.spec) };
    else if (s.action === 'update' && app && payload && 'spec' in payload)
      app = { ...app, spec: payload.spec, active: live(payload.spec), inProgress: undefined };
    else if (s.action === 'update' && app) app = { ...app, active: live(app.spec), inProgress: undefined };
    else if (s.action === 'delete' && app?.id === s.id) app = undefined;
  }
  return { ...actual, ...(app ? { app } : { app: undefined }) };
}
