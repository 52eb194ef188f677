// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is project.yml's substitution syntax
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip } from '../../emulator/openwhisk/zip.js';
import { ConfigError } from '../../lib/errors.js';
import { generateWebSecret, remoteCommand } from '../../scripts/control-plane/bootstrap-plane.js';
import { setEnvLines, writeEnvUpdates } from '../../scripts/control-plane/env-file.js';
import { includedFiles, readFunctionCode } from '../../scripts/control-plane/function-code.js';
import { planPlane, UNSCHEDULED_REASON } from '../../scripts/control-plane/plan.js';
import { functionSource, functionsRegionFor, loadPlaneEnv } from '../../scripts/control-plane/plane-env.js';
import { commentSubstitutions, resolveProject } from '../../scripts/control-plane/project.js';
import { interpret, progressKey, withTimeScaleHint } from '../../scripts/control-plane/remote-call.js';
import { stalledMessage } from '../../scripts/control-plane/remote-cli.js';
import { loadRemoteEnv } from '../../scripts/control-plane/remote-env.js';
import { checkRuntimes } from '../../scripts/control-plane/runtime-check.js';
import { functionUrl, packageUrl } from '../../scripts/control-plane/web-url.js';
import { createZip } from '../../scripts/control-plane/zip.js';

const TOKEN = `dop_v1_${'0123456789abcdef'.repeat(4)}`;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'base2-units-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function thrown(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('zip', () => {
  it('writes archives the emulator (and so the runtime) extracts back to the same files', () => {
    const files = [
      { name: 'index.cjs', data: Buffer.from('exports.main = (a, b) => ({ ok: true });\n'.repeat(500)) },
      { name: '.do/app.yaml', data: Buffer.from('name: base2\n') },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ];
    const zip = createZip(files);
    expect(zip.subarray(0, 4).toString('base64')).toBe('UEsDBA==');
    expect(readZip(zip)).toEqual(files);
    expect(createZip(files).equals(zip)).toBe(true);
  });

  it('refuses paths that leave the archive, writing and reading', () => {
    const outside = createZip([{ name: 'ok.txt', data: Buffer.from('x') }]);
    // The same archive with its one name rewritten to climb out (same length, so offsets hold).
    expect(() =>
      readZip(Buffer.from(outside.toString('latin1').replaceAll('ok.txt', '../x.t'), 'latin1')),
    ).toThrow(/unsafe path/);
    expect(() => createZip([{ name: '../x', data: Buffer.alloc(0) }])).toThrow(RangeError);
    expect(() => createZip([{ name: '/etc/x', data: Buffer.alloc(0) }])).toThrow(RangeError);
  });
});

describe('function code', () => {
  it('zips what .include lists, directories expanded, with a digest of names and contents', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.do'));
    writeFileSync(join(dir, 'index.cjs'), 'exports.main = () => ({})');
    writeFileSync(join(dir, '.do/app.yaml'), 'name: x\n');
    writeFileSync(join(dir, 'index.ts'), 'not shipped');
    writeFileSync(join(dir, '.include'), 'index.cjs\n./.do/\n');
    const code = readFunctionCode(dir, 'fn');
    expect(code.files).toEqual(['index.cjs', '.do/app.yaml']);
    expect(readZip(Buffer.from(code.zipBase64, 'base64')).map((e) => e.name)).toEqual(code.files);
    writeFileSync(join(dir, '.do/app.yaml'), 'name: y\n');
    expect(readFunctionCode(dir, 'fn').digest).not.toBe(code.digest);
  });

  it('explains an unbuilt function or a bad list', () => {
    const dir = tempDir();
    expect(thrown(() => includedFiles(dir, 'fn')).message).toMatch(
      /\.include: is missing: the function has not been built/,
    );
    writeFileSync(join(dir, '.include'), '../secret\n');
    expect(thrown(() => includedFiles(dir, 'fn')).message).toMatch(/must be a path inside/);
    writeFileSync(join(dir, '.include'), 'gone.js\n');
    expect(thrown(() => includedFiles(dir, 'fn')).message).toMatch(/"gone.js", which does not exist/);
  });
});

describe('.env updates', () => {
  it('changes one line in place, appends new ones and keeps every other line', () => {
    const before = '# mine\nDIGITALOCEAN_TOKEN=x\nOPS_WEB_URL=https://old\n\nLOG_LEVEL=debug';
    const after = setEnvLines(before, { OPS_WEB_URL: 'https://new/ops', OPS_WEB_SECRET: 's3cr3t value' });
    expect(after).toBe(
      '# mine\nDIGITALOCEAN_TOKEN=x\nOPS_WEB_URL=https://new/ops\n\nLOG_LEVEL=debug\nOPS_WEB_SECRET="s3cr3t value"\n',
    );
    expect(parseDotenv(after)).toMatchObject({
      OPS_WEB_URL: 'https://new/ops',
      OPS_WEB_SECRET: 's3cr3t value',
    });
  });

  it('creates the file readable by its owner only', () => {
    const file = join(tempDir(), '.env');
    writeEnvUpdates(file, { OPS_WEB_SECRET: 'abc' });
    expect(readFileSync(file, 'utf8')).toBe('OPS_WEB_SECRET=abc\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('the control plane environment', () => {
  it('generates 43-character url-safe secrets', () => {
    const secret = generateWebSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateWebSecret()).not.toBe(secret);
  });

  it('puts the namespace in the Functions region of DO_REGION, else nyc1', () => {
    expect(functionsRegionFor('nyc3')).toBe('nyc1');
    expect(functionsRegionFor('sfo2')).toBe('sfo3');
    expect(functionsRegionFor('ams3')).toBe('ams3');
    expect(functionsRegionFor('atl1')).toBe('nyc1');
    expect(functionsRegionFor(undefined)).toBe('nyc1');
    expect(loadPlaneEnv({ DIGITALOCEAN_TOKEN: TOKEN, DO_REGION: 'fra1' }, tmpdir())).toMatchObject({
      label: 'base2-ops',
      region: 'fra1',
    });
  });

  it('lists every problem at once, before any call', () => {
    const error = thrown(() =>
      loadPlaneEnv({ OPS_NAMESPACE_REGION: 'nyc3', OPS_NAMESPACE_LABEL: '-bad' }, tmpdir()),
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      'DIGITALOCEAN_TOKEN',
      'OPS_NAMESPACE_LABEL',
      'OPS_NAMESPACE_REGION',
    ]);
  });

  it('gives functions the resolved token and key, and the settled secret', () => {
    const env = loadPlaneEnv({ DIGITALOCEAN_ACCESS_TOKEN: TOKEN }, tmpdir()).env;
    const source = functionSource(
      { DIGITALOCEAN_ACCESS_TOKEN: TOKEN, DIGITALOCEAN_CA_FILE: '/ca.pem' },
      env,
      'secret',
    );
    expect(source).toMatchObject({
      DIGITALOCEAN_TOKEN: TOKEN,
      OPS_WEB_SECRET: 'secret',
      DIGITALOCEAN_API_URL: 'https://api.digitalocean.com',
    });
  });

  it('refuses project.yml values that cannot be filled, naming each', () => {
    const error = thrown(() =>
      resolveProject(
        {
          packages: [
            { name: 'ops', functions: [{ name: 'info', runtime: 'nodejs:22', webSecure: '${MISSING}' }] },
          ],
        },
        {},
      ),
    );
    expect(error.problems).toEqual([
      { path: 'packages.0.functions.0.webSecure', message: '${MISSING} is unset: set MISSING' },
    ]);
  });
});

describe('remote', () => {
  it('needs only the web URL (https) and the secret', () => {
    const env = loadRemoteEnv(
      { OPS_WEB_URL: 'https://h/api/v1/web/fn-1/ops/', OPS_WEB_SECRET: 's'.repeat(40) },
      tmpdir(),
    );
    expect(env).toEqual({
      webUrl: 'https://h/api/v1/web/fn-1/ops',
      secret: 's'.repeat(40),
      caPem: undefined,
    });
    const error = thrown(() =>
      loadRemoteEnv({ OPS_WEB_URL: 'http://h/ops', OPS_WEB_SECRET: 'short' }, tmpdir()),
    );
    expect(error.problems.map((p) => p.path)).toEqual(['OPS_WEB_URL', 'OPS_WEB_SECRET']);
    expect(error.problems[0]?.message).toMatch(/https is required/);
  });

  it('says why it stopped after calls the platform cut at its own 30 s, and where to look', () => {
    const said = stalledMessage('info', {
      kind: 'stalled',
      reason: 'unanswered',
      detail: 'the function ran out of time before answering (activation 0123abcd)',
      activationId: '0123abcd',
      calls: 3,
      unanswered: 3,
    });
    expect(said).toBe(
      'Stopped waiting: the info function gave no answer on 3 calls in a row; the last: the function ran out of ' +
        'time before answering (activation 0123abcd). Each call ran into its time limit before the operation ' +
        'answered, so calling again will not finish it. Look at where it waits (`doctl serverless activations ' +
        'logs 0123abcd` shows what it did), or run it locally with `npm run invoke -- info`.',
    );
  });

  it('says the time scale is why when an operation gave up at its time limit in a call far under 30 s', () => {
    const gaveUp = {
      kind: 'api',
      message:
        "Gave up waiting for DigitalOcean to list apps: GET /v2/apps had no complete answer before the operation's time limit ran out.",
      hint: 'check the network',
    };
    expect(withTimeScaleHint(gaveUp, 700, 'deploy').hint).toMatch(
      /^The call took 0\.7 s where DigitalOcean gives a web call 30 s: .*--time-scale 10 or less.*`npm run invoke -- deploy`\.$/,
    );
    // A real platform's call of ~28 s, or another error, keeps its own hint.
    expect(withTimeScaleHint(gaveUp, 28_000, 'deploy')).toBe(gaveUp);
    const refused = { kind: 'input', message: 'The deploy input is invalid.' };
    expect(withTimeScaleHint(refused, 300, 'deploy')).toBe(refused);
  });

  it('reads each answer of a web function', () => {
    const report = { op: 'info', status: 'succeeded' };
    expect(interpret(200, null, report, 'info')).toEqual({ kind: 'report', report });
    expect(interpret(202, 'a1', { error: 'Response not yet ready.' }, 'deploy')).toMatchObject({
      kind: 'not_ready',
    });
    expect(interpret(504, null, { error: { kind: 'timeout', message: 'x' } }, 'deploy')).toMatchObject({
      kind: 'not_ready',
    });
    expect(interpret(401, null, { error: 'The supplied authentication is invalid' }, 'info')).toMatchObject({
      kind: 'refused',
      error: { kind: 'auth', message: 'The web secret was refused.' },
    });
    expect(
      interpret(400, null, { error: { kind: 'input', message: 'The deploy input is invalid.' } }, 'deploy'),
    ).toMatchObject({
      kind: 'refused',
      error: { kind: 'input' },
    });
    expect(
      interpret(502, 'a2', { error: 'The action did not produce a valid response.' }, 'info'),
    ).toMatchObject({
      error: {
        kind: 'internal',
        message:
          'The info function answered 502 (activation a2): The action did not produce a valid response.',
      },
    });
  });

  it('builds the URLs DigitalOcean serves web functions at', () => {
    const ns = { apiHost: 'https://faas-nyc1.doserverless.co/', namespace: 'fn-1' };
    expect(packageUrl(ns, 'ops')).toBe('https://faas-nyc1.doserverless.co/api/v1/web/fn-1/ops');
    expect(functionUrl(ns, 'ops', 'deploy')).toBe(
      'https://faas-nyc1.doserverless.co/api/v1/web/fn-1/ops/deploy',
    );
  });
});

describe('project.yml comments', () => {
  it('finds the substitutions the deployer would make inside comments, and only there', () => {
    const text = [
      '# a comment with ${SECRET_THING} and $(LIST OF NAMES)',
      'key: "${REAL}" # trailing ${TRAILING}',
      "other: 'a # inside quotes ${NOT_A_COMMENT}'",
      'plain: value',
    ].join('\n');
    expect(commentSubstitutions(text)).toEqual([
      { path: 'line 1', message: expect.stringContaining('${SECRET_THING}') },
      { path: 'line 1', message: expect.stringContaining('$(LIST OF NAMES)') },
      { path: 'line 2', message: expect.stringContaining('${TRAILING}') },
    ]);
  });
});

describe('runtimes the namespace offers', () => {
  const offered = [
    { kind: 'nodejs:14', default: true, deprecated: true },
    { kind: 'nodejs:18', default: false, deprecated: true },
    { kind: 'nodejs:22', default: false, deprecated: false },
  ];

  it('refuses a kind the host does not list, naming the current ones of its family', () => {
    const check = checkRuntimes([{ name: 'deploy', runtime: 'nodejs:16' }], offered);
    expect(check.problems).toEqual([
      {
        path: 'functions.deploy.runtime',
        message: "nodejs:16 is not offered by this namespace's API host; it offers nodejs:22",
      },
    ]);
  });

  it('warns about a deprecated kind, resolves <family>:default, and trusts a host with no manifest', () => {
    expect(checkRuntimes([{ name: 'info', runtime: 'nodejs:default' }], offered).warnings).toEqual([
      'runtime nodejs:14 (info) is deprecated on this platform: set OPS_RUNTIME to a current one.',
    ]);
    expect(checkRuntimes([{ name: 'info', runtime: 'nodejs:22' }], offered)).toEqual({
      problems: [],
      warnings: [],
    });
    expect(checkRuntimes([{ name: 'info', runtime: 'nodejs:99' }], undefined)).toEqual({
      problems: [],
      warnings: [],
    });
  });
});

describe('an account without scheduled triggers', () => {
  it('plans no trigger change, only a note per trigger, and says how to run each instead', () => {
    const trigger = {
      name: 'maintain-every-5-minutes',
      function: 'ops/maintain',
      cron: '*/5 * * * *',
      enabled: true,
      body: undefined,
    };
    const steps = planPlane(
      {
        packageName: 'ops',
        packageBody: { parameters: [], annotations: [], publish: false },
        functions: [],
        triggers: [trigger],
      },
      { package: undefined, actions: new Map(), triggers: [], triggersUnavailable: 'forbidden' },
    );
    expect(steps.filter((s) => s.kind === 'trigger')).toEqual([
      { kind: 'trigger', action: 'noop', name: trigger.name, reason: UNSCHEDULED_REASON },
    ]);
    expect(remoteCommand(trigger, 'ops')).toBe('npm run remote -- maintain');
    expect(
      remoteCommand({ ...trigger, function: 'ops/info', body: { scope: 'account', note: "it's" } }, 'ops'),
    ).toBe("npm run remote -- info --scope account --note 'it'\\''s'");
  });
});

describe('remote progress', () => {
  const report = (status: string, progress?: unknown) =>
    ({ op: 'deploy', status, result: { progress, resume: 'abc' } }) as unknown as Parameters<
      typeof progressKey
    >[0];

  it('keys in_progress answers by their progress alone, and finished ones not at all', () => {
    const a = progressKey(report('in_progress', { phase: 'waiting', detail: 'droplets 0/2' }));
    expect(a).toBe(progressKey(report('in_progress', { phase: 'waiting', detail: 'droplets 0/2' })));
    expect(a).not.toBe(progressKey(report('in_progress', { phase: 'waiting', detail: 'droplets 1/2' })));
    expect(progressKey(report('succeeded'))).toBeUndefined();
  });
});
