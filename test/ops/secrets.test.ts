import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { infoOperation } from '../../lib/ops/info/index.js';
import { teardownOperation } from '../../lib/ops/teardown/index.js';
import type { OpReport } from '../../lib/ops/types.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';
import { runOp, seedRegistry } from './support.js';

let t: TestEmulator;
const SECRET_ENV = 'planted-secret-value-9f8e7d6c5b4a';
const WEB_SECRET = 'planted-web-secret-0123456789abcdefghijklmnop';
const keys = ed25519KeyPair();
const outputs: string[] = [];

/** Every form a secret could leak in: as is, base64, URL-encoded, and each line of a PEM. */
function forms(secret: string): string[] {
  const lines = secret.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), ...lines];
}

beforeAll(async () => {
  t = await startTestEmulator({ timeScale: 400 });
  await seedRegistry(t);
});
afterAll(async () => {
  await t.stop();
});

describe('no secret reaches any output', () => {
  it('plants the token, SSH key, web secret and a SECRET env value, runs every path, and finds none of them', async () => {
    const env = {
      BASE2_MANIFEST: 'test/ops/fixtures/deployment.yml',
      BASE2_SECRET_KEY: SECRET_ENV,
      DO_SSH_PRIVATE_KEY: keys.private,
      DO_SSH_PUBLIC_KEY: keys.public,
      OPS_WEB_SECRET: WEB_SECRET,
    };
    const record = (r: { report: OpReport; logs: string[] }) =>
      outputs.push(JSON.stringify(r.report), ...r.logs);
    record(await runOp(t, deployOperation, { env: 'staging' }, { env }));
    record(await runOp(t, deployOperation, { env: 'staging', dry_run: true }, { env }));
    await t.admin('POST', '/_emulator/faults', { kind: 'build', image: 'base2:bad', phase: 'build' });
    const failed = await runOp(t, deployOperation, { env: 'staging', image_tag: 'bad' }, { env });
    expect(failed.report.status).toBe('failed');
    record(failed);
    record(await runOp(t, infoOperation, { scope: 'account' }, { env }));
    record(await runOp(t, teardownOperation, { env: 'staging' }, { env }));
    try {
      await runOp(t, deployOperation, { env: 'nowhere' }, { env });
    } catch (error) {
      outputs.push(String(error), JSON.stringify(error));
    }
    const text = outputs.join('\n');
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of [t.emu.token, SECRET_ENV, WEB_SECRET, keys.private]) {
      for (const form of forms(secret))
        expect(text.includes(form), `leaked: ${form.slice(0, 12)}…`).toBe(false);
    }
  });
});
