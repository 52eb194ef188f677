import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, loadBuildModule, loadFunctionsNodeModule } from './modules.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const LOADER = resolve(import.meta.dirname, 'fixtures/load-bundle.cjs');

const { buildFunctions, discoverEntries, MAX_BUNDLE_BYTES } = await loadBuildModule();
const { ensureFunctionsNode } = await loadFunctionsNodeModule();

let outDir: string;
let built: BuiltFunction[];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'base2-functions-'));
  built = await buildFunctions({ outDir });
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the real function bundles', () => {
  it('builds one bundle per packages/ops/<op>, each under 1 MB', async () => {
    const entries = await discoverEntries(ROOT);
    expect(built.map((b) => b.op).sort()).toEqual(Object.keys(entries).sort());
    for (const bundle of built) {
      console.log(`${bundle.op}: ${(bundle.bytes / 1024).toFixed(1)} KB`);
      expect(bundle.bytes, bundle.op).toBeLessThan(MAX_BUNDLE_BYTES);
    }
  });

  it('each loads on Node 22 and refuses to run without configuration, naming the variable', async ({
    skip,
  }) => {
    const fnNode = await ensureFunctionsNode();
    if (fnNode.path === undefined) {
      const reason = 'reason' in fnNode ? fnNode.reason : 'no Node 22';
      if (process.env.CI) throw new Error(`CI needs Node 22: ${reason}`);
      skip(reason);
      return;
    }
    // A direct invocation (no `http`): the namespace key already authenticated it.
    const event = JSON.stringify({ scope: 'account' });
    for (const bundle of built) {
      const { stdout } = await run(fnNode.path, [LOADER, bundle.file, event, '60000'], {
        env: { PATH: process.env.PATH ?? '' },
      });
      const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
        node: string;
        response: { statusCode: number; body: { error: { kind: string; problems: { path: string }[] } } };
      };
      expect(out.node).toMatch(/^v22\./);
      expect(out.response.statusCode, bundle.op).toBe(400);
      expect(out.response.body.error.kind).toBe('config');
      expect(out.response.body.error.problems.map((p) => p.path)).toContain('DIGITALOCEAN_TOKEN');
    }
  });
});
