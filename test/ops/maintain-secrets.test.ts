import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { maintainOperation } from '../../lib/ops/maintain/index.js';
import { statusOperation } from '../../lib/ops/status/index.js';
import type { AnyOperation, OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { runOp, seedRegistry } from './support.js';

let t: TestEmulator;
const SECRET_ENV = 'planted-secret-value-maintain-5a4b3c2d1e';
/** ssh2 makes an ed25519 pair it cannot parse about once in 256 (mscdex/ssh2#1390): draw again then. */
function keyPair() {
  for (;;) {
    const pair = ed25519KeyPair();
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error))
      return pair;
  }
}
const keys = keyPair();

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

describe('maintain and status show no secret', () => {
  it('plants the token, the SSH key and a SECRET env value, repairs and reports, and finds none of them', async () => {
    const env = {
      BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml',
      BASE2_SECRET_KEY: SECRET_ENV,
      DO_SSH_PRIVATE_KEY: keys.private,
      DO_SSH_PUBLIC_KEY: keys.public,
    };
    const outputs: string[] = [];
    const run = async (operation: AnyOperation, input: Record<string, unknown>) => {
      const { report, logs } = await runOp(t, operation, input, { env });
      outputs.push(JSON.stringify(report), ...logs, operation.render?.(report as OpReport) ?? '');
      return report;
    };
    expect((await run(deployOperation, { env: 'staging' })).status).toBe('succeeded');
    const droplets = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'base2-staging' } });
    await t.dots.v2.droplets.byDroplet_id(droplets!.droplets![0]!.id!).delete();
    await t.untilDropletsGone({ ids: [droplets!.droplets![0]!.id!] });
    await run(maintainOperation, { env: 'staging', report_only: true });
    const repaired = await run(maintainOperation, { env: 'staging' });
    expect(repaired.status, JSON.stringify(repaired.result)).toBe('succeeded');
    await run(statusOperation, { env: 'staging' });

    const text = outputs.join('\n');
    expect(text).toContain('registry');
    for (const secret of [t.emu.token, SECRET_ENV, keys.private]) {
      const lines = secret.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
      for (const form of [secret, Buffer.from(secret).toString('base64'), ...lines])
        expect(text.includes(form), `leaked: ${form.slice(0, 12)}…`).toBe(false);
    }
  });
});
