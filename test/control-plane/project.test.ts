// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is project.yml's substitution syntax
/**
 * project.yml against the rules of DigitalOcean's functions deployer (digitalocean/functions-deployer,
 * src/project-reader.ts, finder-builder.ts, util.ts) that `doctl serverless deploy .` relies on, and
 * against the built functions: the layout the deployer reads is the layout the build writes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_OUT_DIR, discoverEntries } from '../../build.mjs';
import { RUNTIMES } from '../../emulator/openwhisk/runtimes.js';
import { ENV_VARIABLES } from '../../lib/config/env.js';
import { isBindableVariable } from '../../lib/config/substitute.js';
import { operations } from '../../lib/ops/index.js';
import { includedFiles } from '../../scripts/control-plane/function-code.js';
import {
  commentSubstitutions,
  PROJECT_DEFAULTS,
  projectVariables,
  readProject,
} from '../../scripts/control-plane/project.js';
import { loadFunctionsNodeModule } from '../build/modules.js';
import { type BuiltOnce, buildOnce, ROOT } from './support.js';

const run = promisify(execFile);
const PROJECT_TEXT = readFileSync(join(ROOT, 'project.yml'), 'utf8');
const RAW = parse(PROJECT_TEXT) as {
  packages: { name: string; environment: Record<string, string>; functions: Record<string, unknown>[] }[];
};
const PACKAGE = RAW.packages[0]!;
/** Stand-in values (the runtime keeps its default): only the shape of project.yml is under test here. */
const SOURCE = Object.fromEntries(
  projectVariables(PROJECT_TEXT)
    .filter((name) => PROJECT_DEFAULTS[name] === undefined)
    .map((name) => [name, `value-of-${name}`]),
);

/** The keys the deployer's validateDeployConfig, validatePackageSpec and validateActionSpec accept. */
const DEPLOYER_KEYS = {
  project: ['parameters', 'environment', 'packages', 'targetNamespace'],
  package: [
    'name',
    'shared',
    'web',
    'environment',
    'parameters',
    'annotations',
    'binding',
    'functions',
    'actions',
  ],
  function: [
    ...['name', 'file', 'runtime', 'main', 'docker', 'binary', 'remoteBuild', 'localBuild', 'sequence'],
    ...['web', 'webSecure', 'environment', 'annotations', 'parameters', 'limits', 'triggers'],
  ],
  limits: ['timeout', 'memory', 'logs'],
};

let build: BuiltOnce;

beforeAll(async () => {
  build = await buildOnce();
}, 120_000);

afterAll(async () => {
  await build?.remove();
});

describe('project.yml and packages/ops', () => {
  it('declare the same functions, each an operation of lib/ops/index.ts', async () => {
    const entries = Object.keys(await discoverEntries(ROOT)).sort();
    const declared = readProject(ROOT, SOURCE).functions.map((f) => f.name);
    expect([...declared].sort()).toEqual(entries);
    for (const name of declared) expect(Object.keys(operations), name).toContain(name);
  });

  it('put the built functions where the deployer looks: packages/<package>/<function>/', () => {
    expect(DEFAULT_OUT_DIR).toBe(`packages/${PACKAGE.name}`);
    expect(build.built.map((b) => b.dir)).toEqual(build.built.map((b) => join(build.outDir, b.op)));
  });
});

describe('what doctl serverless deploy accepts', () => {
  it('uses only keys the deployer validates, with the value types it requires', () => {
    const project = RAW as unknown as Record<string, unknown>;
    for (const key of Object.keys(project)) expect(DEPLOYER_KEYS.project, key).toContain(key);
    for (const key of Object.keys(PACKAGE)) expect(DEPLOYER_KEYS.package, key).toContain(key);
    for (const value of Object.values(PACKAGE.environment)) expect(typeof value).toBe('string');
    for (const fn of PACKAGE.functions) {
      for (const key of Object.keys(fn)) expect(DEPLOYER_KEYS.function, `${fn.name}.${key}`).toContain(key);
      for (const [key, value] of Object.entries(fn.limits as Record<string, unknown>)) {
        expect(DEPLOYER_KEYS.limits, key).toContain(key);
        expect(typeof value).toBe('number');
      }
      // webSecure must be a string (or false); the secret comes from the environment.
      expect(fn.webSecure).toBe('${OPS_WEB_SECRET}');
      // Raw, so the platform hands over the query string and body as sent: a repeated parameter
      // or JSON key reaches the function, which refuses it, instead of being collapsed to one value.
      expect(fn.web).toBe('raw');
    }
    expect(PROJECT_TEXT).not.toContain('\t');
  });

  it('refers to variables only as ${NAME} in quoted values, never in a comment (the deployer substitutes those too)', () => {
    // The deployer substitutes `${…}` and `$(…)` anywhere in the text, comments included.
    const references = [...PROJECT_TEXT.matchAll(/\$[{(][^})]*[})]/g)].map((m) => m[0]);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/);
    expect(commentSubstitutions(PROJECT_TEXT)).toEqual([]);
    for (const line of PROJECT_TEXT.split('\n').filter((l) => l.includes('${'))) {
      expect(line, 'a reference sits in a double-quoted value').toMatch(/: "[^"]*\$\{[A-Za-z_]\w*\}[^"]*"$/);
    }
  });

  it('defaults to a runtime DigitalOcean offers that is not end-of-life: nodejs:22', () => {
    expect(PROJECT_DEFAULTS.OPS_RUNTIME).toBe('nodejs:22');
    const offered = Object.values(RUNTIMES).flat();
    expect(offered).toContainEqual({ kind: 'nodejs:22', default: false, deprecated: false });
  });

  it('has no build step in the top-level lib/ (the deployer would run it before every deploy)', () => {
    for (const special of ['build.sh', 'build.cmd', 'package.json', '.include', '.ignore']) {
      expect(existsSync(join(ROOT, 'lib', special)), special).toBe(false);
    }
  });

  it('finds each function as a directory whose .include names exactly what to zip', () => {
    for (const fn of build.built) {
      expect(existsSync(join(fn.dir, '.ignore')), '.include and .ignore may not both be present').toBe(false);
      const include = readFileSync(join(fn.dir, '.include'), 'utf8').trim().split('\n');
      for (const item of include) {
        expect(item.startsWith('/') || item.includes('..'), item).toBe(false);
        expect(existsSync(join(fn.dir, item)), `${fn.op}: ${item}`).toBe(true);
      }
      expect(includedFiles(fn.dir, fn.op)).toEqual(fn.files);
      expect(fn.files).not.toContain('index.ts');
    }
  });

  it('gives each function a package.json whose npm step installs nothing and whose main is in the zip', () => {
    for (const fn of build.built) {
      const pkg = JSON.parse(readFileSync(join(fn.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(pkg.dependencies ?? {}).toEqual({});
      expect((pkg.scripts as Record<string, string> | undefined)?.build).toBeUndefined();
      expect(fn.files).toContain('package.json');
      expect(fn.files).toContain(pkg.main);
    }
  });

  it('ships the manifest and app spec each function reads beside its bundle', () => {
    const manifest = readFileSync(join(ROOT, 'deployment.yml'), 'utf8');
    const spec = readFileSync(join(ROOT, '.do/app.yaml'), 'utf8');
    for (const fn of build.built) {
      expect(readFileSync(join(fn.dir, 'deployment.yml'), 'utf8')).toBe(manifest);
      expect(readFileSync(join(fn.dir, '.do/app.yaml'), 'utf8')).toBe(spec);
      expect(fn.files).toEqual(expect.arrayContaining(['deployment.yml', '.do/app.yaml']));
    }
  });

  it('builds bundles that load with require and export a two-argument main, on Node 22 too', async ({
    skip,
  }) => {
    const fnNode = await (await loadFunctionsNodeModule()).ensureFunctionsNode();
    const nodes = [process.execPath, ...(fnNode.path ? [fnNode.path] : [])];
    if (!fnNode.path && process.env.CI)
      throw new Error(`CI needs Node 22: ${'reason' in fnNode ? fnNode.reason : ''}`);
    const script =
      'const m = require(process.argv[1]); process.stdout.write(typeof m.main + " " + m.main.length)';
    for (const node of nodes) {
      for (const fn of build.built) {
        const { stdout } = await run(node, ['-e', script, fn.file], {
          env: { PATH: process.env.PATH ?? '' },
        });
        expect(stdout, `${fn.op} on ${node}`).toBe('function 2');
      }
    }
    if (!fnNode.path) skip('no Node 22 here: checked on this Node only');
  }, 60_000);
});

describe('the functions environment', () => {
  const keys = Object.keys(PACKAGE.environment);

  it('passes every setting the tool and the samples read, and nothing that only makes sense locally', () => {
    const localOnly = [
      'DIGITALOCEAN_ACCESS_TOKEN',
      'DIGITALOCEAN_CA_FILE',
      'DO_SSH_PRIVATE_KEY_FILE',
      'BASE2_MANIFEST',
    ];
    const samples = ['deployment.yml', '.do/app.yaml']
      .flatMap((file) => readFileSync(join(ROOT, file), 'utf8').split('\n'))
      .filter((line) => !line.trimStart().startsWith('#'))
      .flatMap((line) =>
        [...line.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_.-]*)(?::-[^}]*)?\}/g)].map((m) => m[1]!),
      )
      .filter((name) => !isBindableVariable(name));
    const expected = new Set([...ENV_VARIABLES.filter((name) => !localOnly.includes(name)), ...samples]);
    expect(new Set(keys)).toEqual(expected);
    for (const name of localOnly) expect(PROJECT_TEXT).not.toContain(`\${${name}}`);
  });

  it('documents every variable project.yml refers to in .env.example', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    for (const name of projectVariables(PROJECT_TEXT)) expect(documented.has(name), name).toBe(true);
  });
});
