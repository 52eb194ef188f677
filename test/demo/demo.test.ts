import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  it('runs the whole lifecycle through the web functions, exits 0 and leaves nothing behind', async () => {
    // The demo's own temporary folder, so what it leaves (nothing, it must be) is its alone.
    const scratch = await mkdtemp(join(tmpdir(), 'base2-demo-test-'));
    try {
      const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/demo.ts', '--json'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          CI: process.env.CI ?? '',
          TMPDIR: scratch,
        },
        maxBuffer: 10 * 1024 * 1024,
        timeout: 300_000,
      });
      const summary = JSON.parse(stdout) as {
        ok: boolean;
        steps: { step: string; outcome: string; ok: boolean }[];
      };
      expect(summary.ok).toBe(true);
      expect(summary.steps.map((s) => s.step)).toEqual([
        'bootstrap',
        'deploy',
        'info',
        'exec',
        'exec',
        'edit',
        'edit',
        'info',
        'maintain',
        'teardown',
        'status',
        'bootstrap --destroy',
      ]);
      expect(summary.steps.every((s) => s.ok)).toBe(true);
      expect(summary.steps.find((s) => s.outcome === 'failed')?.step).toBe('edit');
      // tsx, which runs the demo as `npm run demo` does, keeps its compile cache there (tsx-<uid>).
      expect((await readdir(scratch)).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 320_000);
});
