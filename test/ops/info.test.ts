import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { runOperation } from '../../lib/ops/run.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

let t: TestEmulator;
const lines: string[] = [];

beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});

function envSource(): Record<string, string> {
  return {
    DIGITALOCEAN_TOKEN: t.emu.token,
    DIGITALOCEAN_API_URL: t.emu.apiUrl,
    DIGITALOCEAN_CA_FILE: t.emu.caCertPath,
  };
}

describe('info through the core (validated env, dots over our transport, the emulator)', () => {
  it('reads the account with list calls only and reports what it spent', async () => {
    const report = await runOperation(
      infoOperation,
      { scope: 'account' },
      {
        envSource: envSource(),
        cwd: process.cwd(),
        clock: systemClock,
        random: Math.random,
        logSink: (line) => lines.push(line),
      },
    );
    expect(report.status).toBe('succeeded');
    expect(report.result.droplets).toEqual([]);
    expect(report.api_calls.mutating).toBe(0);
    expect(report.api_calls.total).toBe(3);
    const seen = await t.requests();
    expect(seen.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
  });

  it('never lets the token reach the report or the log', async () => {
    const report = await runOperation(
      infoOperation,
      { scope: 'account' },
      {
        envSource: envSource(),
        cwd: process.cwd(),
        clock: systemClock,
        random: Math.random,
        logSink: (line) => lines.push(line),
      },
    );
    expect(JSON.stringify(report)).not.toContain(t.emu.token);
    expect(lines.join('\n')).not.toContain(t.emu.token);
  });
});
