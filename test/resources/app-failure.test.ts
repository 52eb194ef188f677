import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import {
  type AppState,
  type DeploymentState,
  describeFailure,
  destroyApp,
  expectedImages,
  failingStep,
  hostOf,
  pendingOf,
  planApp,
  readinessOf,
  tailLines,
} from '../../lib/resources/app/index.js';
import type { DeploymentStep } from '../../lib/resources/app/types.js';
import { deploymentCheck, versionProblem } from '../../lib/resources/app/verify.js';

/** As the tool writes it: with its owner marker (lib/resources/app/proof.ts). */
const spec = (tag = 'v1'): AppSpec => ({
  name: 'base2-staging',
  region: 'nyc',
  envs: [
    {
      key: 'BASE2_DO_OWNER',
      value: 'managed-by:base2-do base2-staging',
      scope: 'BUILD_TIME',
      type: 'GENERAL',
    },
  ],
  services: [{ name: 'web', image: { registry_type: 'DOCR', repository: 'base2', tag } }],
});
const desired = (tag = 'v1') => ({ spec: spec(tag), verify: { path: '/', expect_status: 200 } });

const step = (name: string, status: string, extra: Partial<DeploymentStep> = {}): DeploymentStep => ({
  name,
  status,
  steps: [],
  ...extra,
});

/** A build that failed in component `web`, as App Platform's progress tree shows it. */
const failedBuild: DeploymentState = {
  id: 'd-new',
  phase: 'ERROR',
  spec: spec('bad'),
  progress: {
    success: 1,
    total: 6,
    error: 1,
    steps: [
      step('build', 'ERROR', {
        steps: [
          step('initialize', 'SUCCESS'),
          step('components', 'ERROR', {
            steps: [
              step('web', 'ERROR', {
                componentName: 'web',
                reason: {
                  code: 'BuildJobFailed',
                  message: 'the build of base2:bad exited with a non-zero code',
                },
              }),
            ],
          }),
        ],
      }),
      step('deploy', 'PENDING'),
    ],
  },
};

const deployment = (id: string, phase: string, tag: string, success = 6): DeploymentState => ({
  id,
  phase,
  spec: spec(tag),
  progress: { success, total: 6, error: 0, steps: [] },
});

const app = (extra: Partial<AppState> = {}): AppState => ({
  id: 'app-1',
  name: 'base2-staging',
  spec: spec(),
  active: deployment('d-old', 'ACTIVE', 'v1'),
  ...extra,
});

describe('failure rendering', () => {
  it('finds the deepest failed step that says why', () => {
    const failed = failingStep(failedBuild.progress.steps);
    expect(failed?.path).toEqual(['build', 'components', 'web']);
    expect(failed?.step.reason?.code).toBe('BuildJobFailed');
  });

  it('names the step, its code and message, and says the previous version stays live', () => {
    expect(describeFailure({ slug: 'base2-staging', deployment: failedBuild, liveId: 'd-old' })).toBe(
      'App Platform deployment d-new of app base2-staging failed (ERROR) at step "build › components › web": ' +
        'BuildJobFailed: the build of base2:bad exited with a non-zero code. ' +
        'The previously active deployment d-old stays live.',
    );
  });

  it('says so when nothing was live, and when a deployment was canceled without a reason', () => {
    const canceled: DeploymentState = {
      ...deployment('d-c', 'CANCELED', 'v2', 2),
      progress: { ...failedBuild.progress, steps: [] },
    };
    const text = describeFailure({ slug: 'base2-staging', deployment: canceled });
    expect(text).toContain('d-c of app base2-staging was canceled: 1 step failed.');
    expect(text).toContain('Nothing was live before, so the app serves no version.');
  });

  it('keeps the last 40 non-empty lines of a log', () => {
    const log = `${Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n')}\n\n`;
    const tail = tailLines(log).split('\n');
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe('line 11');
    expect(tail.at(-1)).toBe('line 50');
  });

  it('reports progress as phase and steps done', () => {
    expect(pendingOf(deployment('d-2', 'BUILDING', 'v2', 3))).toEqual({
      state: 'pending',
      detail: 'BUILDING 3/6 steps (deployment d-2)',
      fraction: 0.5,
    });
    expect(
      pendingOf({
        ...deployment('d-3', 'PENDING_BUILD', 'v2'),
        progress: { success: 0, total: 0, error: 0, steps: [] },
      }),
    ).toEqual({
      state: 'pending',
      detail: 'PENDING_BUILD (deployment d-3)',
    });
  });
});

describe('readinessOf', () => {
  it('follows a deployment in progress', () => {
    const building = app({ spec: spec('v2'), inProgress: deployment('d-2', 'BUILDING', 'v2', 2) });
    expect(readinessOf(building, desired('v2'))).toMatchObject({ state: 'pending', fraction: 2 / 6 });
  });

  it('is ready once the active deployment runs the spec', () => {
    expect(readinessOf(app(), desired('v1'))).toEqual({ state: 'ready' });
  });

  it('asks for the newest deployment when the live one runs an older spec', () => {
    expect(readinessOf(app({ spec: spec('bad') }), desired('bad'))).toBeUndefined();
  });

  it('fails when the app does not hold the spec being deployed', () => {
    expect(readinessOf(app(), desired('v2'))).toMatchObject({ state: 'failed' });
  });
});

describe('planApp', () => {
  it('creates a missing app and plans nothing without an app section', () => {
    expect(planApp(desired(), { lookAlikes: [] })).toMatchObject([{ action: 'create', reason: 'missing' }]);
    expect(planApp(undefined, { app: app(), lookAlikes: [] })).toEqual([]);
  });

  it('updates a changed spec, naming the change', () => {
    expect(planApp(desired('v2'), { app: app(), lookAlikes: [] })).toMatchObject([
      {
        action: 'update',
        id: 'app-1',
        reason: 'spec: services.web.image.tag: v1 → v2',
        payload: { spec: spec('v2') },
      },
    ]);
  });

  it('does nothing while the deployment runs, or when it is live', () => {
    const building = app({ inProgress: deployment('d-2', 'DEPLOYING', 'v1', 4) });
    expect(planApp(desired(), { app: building, lookAlikes: [] })).toMatchObject([{ action: 'noop' }]);
    expect(planApp(desired(), { app: app(), lookAlikes: [] })).toMatchObject([
      { action: 'noop', reason: 'up to date' },
    ]);
  });

  it('deploys the spec again when its last deployment failed', () => {
    const plan = planApp(desired('bad'), { app: app({ spec: spec('bad') }), lookAlikes: [] });
    expect(plan).toMatchObject([{ action: 'update', payload: { redeploy: true } }]);
    expect(plan[0]!.reason).toContain('runs an older spec');
  });

  it('destroys only the app with the exact name', () => {
    const lookAlikes = [{ id: 'x', name: 'base2-staging-old' }];
    expect(destroyApp({ app: app(), lookAlikes })).toMatchObject([
      { action: 'delete', id: 'app-1', name: 'base2-staging' },
    ]);
    expect(destroyApp({ lookAlikes })).toEqual([]);
  });
});

describe('verification', () => {
  it('checks that the active deployment is current', () => {
    expect(deploymentCheck(app(), desired()).ok).toBe(true);
    expect(deploymentCheck(app({ spec: spec('bad') }), desired('bad'))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('runs another spec (services.web.image.tag: v1 → bad)'),
    });
  });

  it('checks the version the live URL reports, when it reports one', () => {
    const body = (deploymentId: string, image: string) =>
      JSON.stringify({ deployment_id: deploymentId, image });
    expect(versionProblem(body('d-old', 'base2:v1'), 'd-old', spec())).toBeUndefined();
    expect(
      versionProblem(body('d-old', 'registry.digitalocean.com/x/base2:v1'), 'd-old', spec()),
    ).toBeUndefined();
    expect(versionProblem(body('d-new', 'base2:v1'), 'd-old', spec())).toBe(
      'it serves deployment d-new, not d-old',
    );
    expect(versionProblem(body('d-old', 'base2:v0'), 'd-old', spec())).toBe('it runs base2:v0, not base2:v1');
    expect(versionProblem('<html>Base2</html>', 'd-old', spec())).toBeUndefined();
  });

  it('expects tags, latest by default, and digests', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const mixed: AppSpec = {
      ...spec(),
      workers: [
        { name: 'w', image: { registry_type: 'DOCR', repository: 'jobs' } },
        { name: 'p', image: { registry_type: 'DOCR', repository: 'pinned', digest } },
      ],
    };
    expect(expectedImages(mixed)).toEqual(['base2:v1', 'jobs:latest', `pinned@${digest}`]);
  });

  it('takes the CNAME target from the default ingress', () => {
    expect(hostOf('https://base2-staging-ab12c.ondigitalocean.app')).toBe(
      'base2-staging-ab12c.ondigitalocean.app',
    );
    expect(hostOf(undefined)).toBeUndefined();
  });
});
