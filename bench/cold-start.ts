/**
 * One function's cold start on Node 22, measured the way DigitalOcean's nodejs:22 runtime meets it:
 * a fresh process loads the bundle, then calls its handler, timed up to its first API request
 * (test/control-plane/fixtures/cold-start.cjs). Shared by the functions benchmark and the cold-start test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const COLD_START_LOADER = fileURLToPath(
  new URL('../test/control-plane/fixtures/cold-start.cjs', import.meta.url),
);

/** DESIGN.md's quality bar: load + first handler call up to the first API request. */
export const COLD_START_BAR_MS = 150;

/** Inputs that make each operation read DigitalOcean and change nothing; others get a dry run. */
const READ_ONLY_INPUT: Record<string, Record<string, unknown>> = {
  info: { scope: 'account' },
  exec: { target: 'droplets', command: 'true', dry_run: true },
  edit: { image_tag: '1.4.2', dry_run: true },
};

export function coldStartEvent(op: string): Record<string, unknown> {
  return READ_ONLY_INPUT[op] ?? { dry_run: true };
}

export interface ColdStart {
  node: string;
  loadMs: number;
  /** null when the handler answered without any API request (a bad input, a missing setting). */
  toFirstRequestMs: number | null;
  statusCode: number;
}

/** Pure: the fixture's figures, from the last line it prints. */
export function parseColdStart(stdout: string): ColdStart {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const figures = JSON.parse(last) as ColdStart;
  if (typeof figures.loadMs !== 'number') throw new Error(`not a cold-start line: ${last.slice(0, 200)}`);
  return figures;
}

/** The cold-start environment for the emulator: its API, CA and ports, and quiet logs. */
export function coldStartEnv(emu: {
  caCertPath: string;
  token: string;
  apiUrl: string;
  httpPort: number;
  sshPort: number;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
    DIGITALOCEAN_TOKEN: emu.token,
    DIGITALOCEAN_API_URL: emu.apiUrl,
    DO_HTTP_PORT: String(emu.httpPort),
    DO_SSH_PORT: String(emu.sshPort),
    DO_REGISTRY_NAME: 'base2-bench',
    DEPLOY_ENV: 'staging',
    LOG_LEVEL: 'error',
  };
}

/** One fresh process: `node` loads `bundle` (in `dir`, the function's folder) and calls it with `op`'s event. */
export async function measureColdStart(
  node: string,
  fn: { op: string; file: string; dir: string },
  env: Record<string, string>,
): Promise<ColdStart> {
  const { stdout } = await run(node, [COLD_START_LOADER, fn.file, JSON.stringify(coldStartEvent(fn.op))], {
    env,
    cwd: fn.dir,
    timeout: 60_000,
  });
  return parseColdStart(stdout);
}
