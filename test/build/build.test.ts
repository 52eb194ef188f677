import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuildModule, loadFunctionsNodeModule } from './modules.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = 'test/build/fixtures/hello-function.ts';
const LOADER = resolve(import.meta.dirname, 'fixtures/load-bundle.cjs');
const WEB_SECRET = 'fixture-web-secret-for-functions-node';
const TOKEN = 'dop_v1_0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de00';

const { buildFunctions, describeBuild, discoverEntries, MAX_BUNDLE_BYTES } = await loadBuildModule();
const { ensureFunctionsNode } = await loadFunctionsNodeModule();

let outDir: string;
let bundle: { op: string; file: string; bytes: number; oversize: boolean };

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'base2-build-'));
  const built = await buildFunctions({ outDir, entries: { hello: FIXTURE } });
  bundle = built[0] as typeof bundle;
}, 120_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('buildFunctions', () => {
  it('bundles the fixture function, with dots and ssh2 inside, under the 1 MB budget', async () => {
    expect(bundle.op).toBe('hello');
    expect(bundle.file).toBe(join(outDir, 'hello', 'index.cjs'));
    expect(bundle.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(bundle.oversize).toBe(false);
    console.log(`fixture bundle: ${(bundle.bytes / 1024).toFixed(1)} KB`);
    const code = await readFile(bundle.file, 'utf8');
    expect(code).not.toMatch(/require\("(\.\.?\/|@digitalocean|ssh2|@microsoft)/);
    expect(code).toContain('require("cpu-features")');
  });

  it('writes a package.json whose main is the CommonJS bundle index.cjs', async () => {
    const pkg = JSON.parse(await readFile(join(outDir, 'hello', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', main: 'index.cjs' });
  });

  it('flags bundles over the size limit', async () => {
    const tiny = await mkdtemp(join(tmpdir(), 'base2-build-'));
    try {
      const [over] = await buildFunctions({ outDir: tiny, entries: { hello: FIXTURE }, maxBytes: 1024 });
      expect(over?.oversize).toBe(true);
      expect(describeBuild(over ? [over] : [], tiny, 1024)[0]).toMatch(
        /^hello\/index\.cjs\s+\d+\.\d KB {2}OVER THE 1 KB LIMIT$/,
      );
    } finally {
      await rm(tiny, { recursive: true, force: true });
    }
  }, 120_000);

  it('discovers every packages/ops/<op>/index.ts that exists', async () => {
    const root = await mkdtemp(join(tmpdir(), 'base2-root-'));
    try {
      await mkdir(join(root, 'packages/ops/deploy'), { recursive: true });
      await mkdir(join(root, 'packages/ops/notes'), { recursive: true });
      await writeFile(join(root, 'packages/ops/deploy/index.ts'), 'export const main = () => ({});\n');
      await writeFile(join(root, 'packages/ops/README.md'), 'not an op\n');
      expect(await discoverEntries(root)).toEqual({ deploy: join(root, 'packages/ops/deploy/index.ts') });
      expect(await discoverEntries(join(root, 'missing'))).toEqual({});
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the bundle on Node 22 (DigitalOcean nodejs:22)', () => {
  it('loads with require and import(), and main answers a web event', async ({ skip }) => {
    const fnNode = await ensureFunctionsNode();
    if (fnNode.path === undefined) {
      // CI must prove the bundle runs on the runtime's Node; elsewhere a missing binary is a skip.
      if (process.env.CI === 'true') throw new Error(`Node 22 is required under CI: ${fnNode.reason}`);
      console.warn(`skipping the Node 22 load test: ${fnNode.reason}`);
      skip();
      return;
    }
    const event = {
      name: 'sammy',
      token: TOKEN,
      http: {
        headers: { 'content-type': 'application/json', 'x-require-whisk-auth': WEB_SECRET },
        method: 'POST',
        path: '',
      },
    };
    const { stdout } = await run(fnNode.path, [LOADER, bundle.file, JSON.stringify(event), '60000'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', FIXTURE_WEB_SECRET: WEB_SECRET },
      timeout: 60_000,
    });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1) ?? '{}');
    console.log(
      `Node ${result.node}: load ${result.loadMs.toFixed(1)} ms, first call ${result.firstCallMs.toFixed(1)} ms`,
    );

    expect(result.node).toMatch(/^v22\./);
    expect(result).toMatchObject({ mainType: 'function', mainLength: 2, importedMainType: 'function' });
    expect(result.response).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        hello: 'sammy',
        node: result.node,
        dots: 'function',
        ssh2: 'function',
        echoed_token: '[REDACTED]',
      },
    });
    expect(result.response.body.remaining_ms).toBeGreaterThan(25_000);
    expect(result.response.body.remaining_ms).toBeLessThanOrEqual(28_000);
    expect(result.viaImport.statusCode).toBe(200);
    // Every log line the function wrote is JSON, and nothing printed carries the token or secret.
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((line) => JSON.parse(line).msg === 'audit')).toBe(true);
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).not.toContain(WEB_SECRET);
  }, 300_000);

  it('refuses a web call with the wrong secret on Node 22 too', async ({ skip }) => {
    const fnNode = await ensureFunctionsNode({ install: false });
    if (fnNode.path === undefined) {
      if (process.env.CI === 'true') throw new Error(`Node 22 is required under CI: ${fnNode.reason}`);
      skip();
      return;
    }
    const event = { http: { headers: { 'x-require-whisk-auth': 'wrong-wrong' }, method: 'GET', path: '' } };
    const { stdout } = await run(fnNode.path, [LOADER, bundle.file, JSON.stringify(event), '60000'], {
      env: { PATH: process.env.PATH ?? '', FIXTURE_WEB_SECRET: WEB_SECRET },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.response.statusCode).toBe(401);
    expect(stdout).not.toContain(WEB_SECRET);
  }, 60_000);
});

describe('ensureFunctionsNode', () => {
  it('explains why there is no Node 22 on other platforms', async () => {
    const found = await ensureFunctionsNode({ env: {}, platform: 'darwin', arch: 'arm64' });
    expect(found).toEqual({ path: undefined, reason: expect.stringContaining('darwin-arm64') });
  });

  it('checks that FUNCTIONS_NODE_BIN really is Node 22, refusing the end-of-life Node 18', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'base2-functions-node-'));
    try {
      // A stand-in binary that answers `--version` as Node 18 does.
      const old = join(dir, 'node');
      await writeFile(old, '#!/bin/sh\necho v18.20.8\n', { mode: 0o755 });
      const found = await ensureFunctionsNode({ env: { FUNCTIONS_NODE_BIN: old } });
      expect(found.path).toBeUndefined();
      expect(found).toMatchObject({ reason: expect.stringContaining('is v18.20.8, not Node 22') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not install when told not to', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'base2-functions-node-'));
    try {
      const found = await ensureFunctionsNode({
        env: {},
        cacheDir,
        install: false,
        platform: 'linux',
        arch: 'x64',
      });
      expect(found).toMatchObject({ path: undefined, reason: expect.stringContaining('not installed') });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
