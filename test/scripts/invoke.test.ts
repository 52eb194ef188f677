import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../lib/errors.js';
import { parseArgs, parseDuration } from '../../scripts/cli/args.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const TOKEN = `dop_v1_${'ab'.repeat(32)}`;

/** Runs `npm run invoke -- …` the way a user does (through tsx), with a clean environment. */
async function invoke(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(tsx, ['scripts/invoke.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run invoke', () => {
  it('exits 2 and names the missing token, without a stack trace', async () => {
    const result = await invoke(['info'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DIGITALOCEAN_TOKEN');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 and says https is required for an http:// API URL, never showing the token', async () => {
    const result = await invoke(['info'], {
      DIGITALOCEAN_TOKEN: TOKEN,
      DIGITALOCEAN_API_URL: 'http://127.0.0.1:9',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('https is required');
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
  });

  it('prints exactly one JSON document on stdout with --json, also for errors', async () => {
    const result = await invoke(['info', '--json'], {});
    expect(result.code).toBe(2);
    const body = JSON.parse(result.stdout) as { error: { kind: string; problems: { path: string }[] } };
    expect(body.error.kind).toBe('config');
    expect(body.error.problems.map((p) => p.path)).toContain('DIGITALOCEAN_TOKEN');
  });

  it('refuses an unknown operation with exit 2 and lists the known ones', async () => {
    const result = await invoke(['launch-rockets'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown operation "launch-rockets"; choose one of .*info/);
  });
});

describe('command-line parsing', () => {
  it('turns kebab-case flags into snake_case input and keeps values as strings', () => {
    const parsed = parseArgs(['deploy', '--env', 'staging', '--dry-run', '--image-tag=1.4.2', '--json']);
    expect(parsed.op).toBe('deploy');
    expect(parsed.input).toEqual({ env: 'staging', dry_run: true, image_tag: '1.4.2' });
    expect(parsed.flags.json).toBe(true);
  });

  it('reads durations for --timeout and refuses nonsense', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });

  it('refuses a second positional argument', () => {
    expect(() => parseArgs(['info', 'extra'])).toThrow(/unexpected argument/);
  });

  it('refuses a flag given twice, in any spelling, instead of taking the last value', () => {
    for (const argv of [
      ['deploy', '--env', 'staging', '--env', 'production'],
      ['teardown', '--env=staging', '--dry-run', '--dry_run=false'],
      ['info', '--wait', '--no-wait'],
      ['info', '--timeout', '5s', '--timeout=10s'],
    ]) {
      const error = (() => {
        try {
          parseArgs(argv);
        } catch (e) {
          return e as InputError;
        }
        return undefined;
      })();
      expect(error, argv.join(' ')).toBeInstanceOf(InputError);
      expect(error!.exitCode).toBe(2);
      expect(error!.message, argv.join(' ')).toMatch(/is given more than once/);
      // The values are not repeated back: one of them may be a secret.
      expect(error!.message).not.toMatch(/production|false|10s/);
    }
  });
});
