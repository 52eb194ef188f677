// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is project.yml's substitution syntax
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import type { FunctionCode } from '../../scripts/control-plane/function-code.js';
import { expandTrigger, flattenNamespace, flattenTrigger } from '../../scripts/control-plane/namespace.js';
import { flattenAction, flattenPackage, type OwAction } from '../../scripts/control-plane/openwhisk.js';
import {
  type ActualPlane,
  ANNOTATIONS,
  type DesiredPlane,
  expandAction,
  expandPackage,
  expandTriggers,
  MANAGER,
  planPlane,
} from '../../scripts/control-plane/plan.js';
import { type ProjectPackage, resolveProject } from '../../scripts/control-plane/project.js';

const SECRET = 'web-secret-for-plan-tests-0123456789abcdef';
const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';

function project(overrides: { trigger?: boolean; timeout?: number } = {}): ProjectPackage {
  return resolveProject(
    {
      packages: [
        {
          name: 'ops',
          environment: { DIGITALOCEAN_TOKEN: '${DIGITALOCEAN_TOKEN}', DEPLOY_ENV: '${DEPLOY_ENV}' },
          functions: [
            {
              name: 'info',
              runtime: '${OPS_RUNTIME}',
              web: true,
              webSecure: '${OPS_WEB_SECRET}',
              limits: { timeout: overrides.timeout ?? 60000, memory: 256 },
              ...(overrides.trigger
                ? {
                    triggers: [
                      {
                        name: 'hourly',
                        type: 'scheduled',
                        scheduledDetails: { cron: '0 * * * *', body: { scope: 'account' } },
                      },
                    ],
                  }
                : {}),
            },
          ],
        },
      ],
    },
    { DIGITALOCEAN_TOKEN: TOKEN, OPS_WEB_SECRET: SECRET },
  );
}

const CODE: FunctionCode = {
  files: ['index.cjs'],
  digest: 'a'.repeat(64),
  zipBase64: 'UEsFBg==',
  zipBytes: 4,
};

function desired(pkg = project(), code = CODE, createdNamespace = true): DesiredPlane {
  return {
    packageName: pkg.name,
    packageBody: expandPackage(pkg, createdNamespace),
    functions: pkg.functions.map((fn) => ({
      name: fn.name,
      body: expandAction(fn, code),
      digest: code.digest,
    })),
    triggers: expandTriggers(pkg),
  };
}

/** What the namespace answers after `want` was applied: the platform adds annotations of its own. */
function applied(want: DesiredPlane): ActualPlane {
  const actions = new Map<string, OwAction>(
    want.functions.map((fn) => [
      fn.name,
      flattenAction({
        name: fn.name,
        exec: { kind: fn.body.exec.kind, binary: true },
        parameters: fn.body.parameters,
        annotations: [...fn.body.annotations, { key: 'exec', value: 'nodejs:22' }],
        limits: { timeout: 3000, memory: 256, logs: 16, concurrency: 1, ...fn.body.limits },
      }),
    ]),
  );
  return {
    package: flattenPackage({
      name: want.packageName,
      parameters: want.packageBody.parameters,
      annotations: want.packageBody.annotations,
      actions: want.functions.map((f) => ({ name: f.name })),
    }),
    actions,
    triggers: want.triggers,
  };
}

describe('expand', () => {
  it('puts the environment on the package as init parameters, as the functions deployer does', () => {
    const body = expandPackage(project(), false);
    expect(body.parameters).toEqual([{ key: 'DIGITALOCEAN_TOKEN', value: TOKEN, init: true }]);
    expect(body.annotations).toEqual([
      { key: ANNOTATIONS.managedBy, value: MANAGER },
      { key: ANNOTATIONS.createdNamespace, value: false },
    ]);
  });

  it('leaves out environment variables that are unset, and defaults the runtime', () => {
    const fn = project().functions[0]!;
    expect(project().environment).not.toHaveProperty('DEPLOY_ENV');
    expect(fn.runtime).toBe('nodejs:22');
  });

  it('annotates a web function like the deployer (web-export, raw-http, final, require-whisk-auth) plus the code digest', () => {
    const body = expandAction(project().functions[0]!, CODE);
    expect(body.exec).toEqual({ kind: 'nodejs:22', code: CODE.zipBase64, binary: true });
    expect(body.annotations).toEqual([
      { key: 'web-export', value: true },
      { key: 'raw-http', value: false },
      { key: 'final', value: true },
      { key: 'require-whisk-auth', value: SECRET },
      { key: ANNOTATIONS.codeSha256, value: CODE.digest },
    ]);
    expect(body.limits).toEqual({ timeout: 60000, memory: 256 });
  });

  it('turns triggers into scheduled triggers of <package>/<function> and back', () => {
    const [trigger] = expandTriggers(project({ trigger: true }));
    expect(trigger).toEqual({
      name: 'hourly',
      function: 'ops/info',
      cron: '0 * * * *',
      enabled: true,
      body: { scope: 'account' },
    });
    const dots = expandTrigger(trigger!);
    expect(dots).toMatchObject({ functionEscaped: 'ops/info', type: 'SCHEDULED', isEnabled: true });
    const back = flattenTrigger(
      { ...dots, scheduledDetails: { cron: '0 * * * *', body: { additionalData: { scope: 'account' } } } },
      'fn-1',
    );
    expect(back).toEqual(trigger);
    expect(flattenTrigger({ name: 'x', functionEscaped: '/fn-1/ops/info' }, 'fn-1').function).toBe(
      'ops/info',
    );
  });

  it('reads a namespace only when it carries what a client needs', () => {
    expect(
      flattenNamespace({
        apiHost: 'https://h',
        namespace: 'fn-1',
        uuid: 'u',
        key: 'k',
        label: 'l',
        region: 'nyc1',
      }),
    ).toEqual({
      apiHost: 'https://h',
      namespace: 'fn-1',
      uuid: 'u',
      key: 'k',
      label: 'l',
      region: 'nyc1',
    });
    expect(flattenNamespace({ namespace: 'fn-1' })).toBeUndefined();
  });
});

describe('planPlane', () => {
  it('creates everything in an empty namespace', () => {
    const steps = planPlane(desired(project({ trigger: true })), {
      package: undefined,
      actions: new Map(),
      triggers: [],
    });
    expect(steps.map((s) => `${s.kind} ${s.action} ${s.name}`)).toEqual([
      'package create ops',
      'function create ops/info',
      'trigger create hourly',
    ]);
  });

  it('plans only noops when what is deployed is what is wanted', () => {
    const want = desired(project({ trigger: true }));
    expect(planPlane(want, applied(want)).map((s) => s.action)).toEqual(['noop', 'noop', 'noop']);
  });

  it('names what changed, never a value', () => {
    const before = applied(desired());
    const next = resolveProject(
      {
        packages: [
          {
            name: 'ops',
            environment: { DIGITALOCEAN_TOKEN: '${DIGITALOCEAN_TOKEN}', DEPLOY_ENV: '${DEPLOY_ENV}' },
            functions: [
              {
                name: 'info',
                runtime: 'nodejs:22',
                webSecure: '${OPS_WEB_SECRET}',
                limits: { timeout: 90000 },
              },
            ],
          },
        ],
      },
      {
        DIGITALOCEAN_TOKEN: TOKEN.replace('0123', '9999'),
        OPS_WEB_SECRET: `${SECRET}-rotated`,
        DEPLOY_ENV: 'staging',
      },
    );
    const steps = planPlane(desired(next, { ...CODE, digest: 'b'.repeat(64) }), before);
    expect(steps[0]).toMatchObject({
      kind: 'package',
      action: 'update',
      reason: 'parameters added: DEPLOY_ENV; parameters changed: DIGITALOCEAN_TOKEN',
    });
    expect(steps[1]).toMatchObject({
      kind: 'function',
      action: 'update',
      reason: 'code changed; web secret changed; limits.timeout 60000 → 90000',
    });
    const text = JSON.stringify(steps);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN.slice(8));
  });

  it('keeps the record that bootstrap created the namespace', () => {
    const want = desired(project(), CODE, false);
    const have = applied(desired(project(), CODE, true));
    expect(planPlane(want, have)[0]).toMatchObject({
      action: 'update',
      reason: `annotation ${ANNOTATIONS.createdNamespace} changed`,
    });
  });

  it('removes functions it deployed that project.yml no longer has, and leaves others alone', () => {
    const have = applied(desired());
    const ours = { ...have.actions.get('info')!, name: 'old' };
    const theirs = { ...ours, name: 'theirs', annotations: [] };
    const actual = { ...have, actions: new Map([...have.actions, ['old', ours], ['theirs', theirs]]) };
    const steps = planPlane(desired(), actual).filter((s) => s.kind === 'function');
    expect(steps.map((s) => `${s.action} ${s.name}`)).toEqual([
      'noop ops/info',
      'delete ops/old',
      'noop ops/theirs',
    ]);
    expect(steps[2]?.reason).toMatch(/not deployed by base2-do/);
  });

  it('refuses a package named like ours that base2-do did not create', () => {
    const have = applied(desired());
    const foreign = { ...have, package: { ...have.package!, annotations: [] } };
    expect(() => planPlane(desired(), foreign)).toThrow(ConflictError);
  });

  it('updates, replaces and removes triggers of its own functions only', () => {
    const want = desired(project({ trigger: true }));
    const base = want.triggers[0]!;
    const actual = applied(want);
    const changed = { ...actual, triggers: [{ ...base, cron: '*/5 * * * *', enabled: false }] };
    expect(planPlane(want, changed).at(-1)).toMatchObject({
      action: 'update',
      reason: 'cron */5 * * * * → 0 * * * *; enabled',
    });
    const moved = { ...actual, triggers: [{ ...base, function: 'ops/other' }] };
    expect(planPlane(want, moved).at(-1)).toMatchObject({ action: 'replace' });
    const extra = {
      ...actual,
      triggers: [base, { ...base, name: 'stale' }, { ...base, name: 'theirs', function: 'jobs/x' }],
    };
    expect(
      planPlane(want, extra)
        .filter((s) => s.kind === 'trigger')
        .map((s) => `${s.action} ${s.name}`),
    ).toEqual(['noop hourly', 'delete stale']);
    const clash = { ...actual, triggers: [{ ...base, function: 'jobs/x' }] };
    expect(() => planPlane(want, clash)).toThrow(/outside package ops/);
  });
});
