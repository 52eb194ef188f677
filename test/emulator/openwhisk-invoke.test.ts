import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { createNamespace, OwClient } from './fixtures/functions/client.js';

describe('invoking actions of a Functions namespace', () => {
  let t: TestEmulator;
  let ow: OwClient;

  beforeAll(async () => {
    // 30 s of virtual time is 0.6 s at this scale: room for a process to answer on a loaded machine.
    t = await startTestEmulator({ modules: [accountModule, functionsModule], timeScale: 50 });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    ow = new OwClient(t, await createNamespace(t, 'openwhisk'));
  });

  describe('invocation', () => {
    it('returns the result of a blocking invocation, with init parameters as environment', async () => {
      await ow.deploy('context', 'context.js', {
        parameters: [
          { key: 'bound', value: 'from-action' },
          { key: 'GREETING', value: 'hello from env', init: true },
          { key: 'SETTINGS', value: { depth: 2 }, init: true },
        ],
      });
      const reply = await ow.invoke('context', { extra: 1 });
      expect(reply.status).toBe(200);
      const result = reply.body as {
        params: object;
        context: Record<string, unknown>;
        env: Record<string, unknown>;
      };
      expect(result.params).toEqual({ bound: 'from-action', extra: 1 });
      expect(result.env).toMatchObject({
        GREETING: 'hello from env',
        SETTINGS: '{"depth":2}',
        API_HOST: ow.ns.apiHost,
        NAMESPACE: ow.ns.id,
        DIGITALOCEAN_TOKEN: null,
      });
      expect(result.context).toMatchObject({
        functionName: `/${ow.ns.id}/context`,
        functionVersion: '0.0.1',
        namespace: ow.ns.id,
        apiHost: ow.ns.apiHost,
        activationId: result.env.ACTIVATION_ID,
      });
      expect(result.context.remaining).toBeGreaterThan(0);
      expect(result.context.remaining).toBeLessThanOrEqual(3000);
      expect(reply.headers.get('x-openwhisk-activation-id')).toBe(result.env.ACTIVATION_ID);
    });

    it('finds a bare main, and runs ES modules and zip archives', async () => {
      await ow.deploy('hello', 'hello.js');
      expect((await ow.invoke('hello', { name: 'Sammy' })).body).toEqual({ greeting: 'Hello Sammy!' });
      await ow.deploy('esm', 'esm.js');
      expect((await ow.invoke('esm', { echo: 'x' })).body).toEqual({
        module: 'esm',
        hasHostname: true,
        echo: 'x',
      });
      const zipped = await ow.deploy('packaged', 'packaged.zip');
      expect(zipped.body).toMatchObject({ exec: { binary: true } });
      expect((await ow.invoke('packaged', { word: 'deploy' })).body).toEqual({
        packaged: 'DEPLOY!',
        cwdHasPackage: true,
      });
    });

    it('answers a non-blocking invocation with an activation id, then records it with logs and result', async () => {
      await ow.deploy('hello', 'hello.js');
      const reply = await ow.invoke('hello', { name: 'Async' }, '');
      expect(reply.status).toBe(202);
      const { activationId } = reply.body as { activationId: string };
      expect(activationId).toMatch(/^[0-9a-f]{32}$/);

      const activation = await ow.activation(activationId);
      expect(activation).toMatchObject({
        activationId,
        name: 'hello',
        namespace: ow.ns.id,
        response: { status: 'success', success: true, result: { greeting: 'Hello Async!' } },
        annotations: expect.arrayContaining([{ key: 'path', value: `${ow.ns.id}/hello` }]),
      });
      const logs = await ow.request('GET', `/namespaces/_/activations/${activationId}/logs`);
      expect(logs.body).toEqual({
        logs: [expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z stdout: greeting Async$/)],
      });
      const result = await ow.request('GET', `/namespaces/_/activations/${activationId}/result`);
      expect(result.body).toMatchObject({
        status: 'success',
        success: true,
        result: { greeting: 'Hello Async!' },
      });

      const listed = await ow.request('GET', '/namespaces/_/activations?name=hello&limit=5');
      expect(listed.body).toEqual([expect.objectContaining({ activationId, statusCode: 0 })]);
      expect((await ow.request('GET', '/namespaces/_/activations?name=other')).body).toEqual([]);
      expect((await ow.request('GET', '/namespaces/_/activations/not-an-id')).status).toBe(400);
      expect((await ow.request('GET', `/namespaces/_/activations/${'0'.repeat(32)}`)).status).toBe(404);
    });

    it('kills an action that exceeds its time limit', async () => {
      // Polled rather than blocking: the limit is real time, longer than the scaled blocking window.
      await ow.deploy('spin', 'spin.js', { limits: { timeout: 300 } });
      const started = Date.now();
      const reply = await ow.invoke('spin', {}, '');
      const activation = await ow.activation((reply.body as { activationId: string }).activationId);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(activation).toMatchObject({
        response: {
          status: 'action developer error',
          success: false,
          result: { error: 'The action exceeded its time limits of 300 milliseconds.' },
        },
        logs: [expect.stringMatching(/stdout: spinning$/)],
        annotations: expect.arrayContaining([{ key: 'timeout', value: true }]),
      });
      expect(activation.duration).toBeGreaterThanOrEqual(300);
    });

    it('tells application errors from developer errors', async () => {
      await ow.deploy('failures', 'failures.js');
      const rejected = await ow.invoke('failures', { mode: 'reject' }, 'blocking=true');
      expect(rejected).toMatchObject({
        status: 502,
        body: {
          response: { status: 'application error', result: { error: { message: 'rejected on purpose' } } },
        },
      });
      const thrown = await ow.invoke('failures', { mode: 'throw' }, 'blocking=true');
      expect(thrown.body).toMatchObject({
        response: {
          status: 'action developer error',
          result: { error: expect.stringMatching(/thrown on purpose/) },
        },
      });
      const notObject = await ow.invoke('failures', { mode: 'string' }, 'blocking=true');
      expect(notObject.body).toMatchObject({ response: { status: 'action developer error' } });
      const reported = await ow.invoke('failures', { mode: 'error-result' });
      expect(reported).toMatchObject({ status: 502, body: { error: 'reported by the action' } });
    });

    it('answers 202 with the activation id once the scaled synchronous limit passes', async () => {
      // The synchronous limit is 0.6 s at this file's time scale; the action takes 1.5 s.
      await ow.deploy('sleep', 'sleep.js', { limits: { timeout: 10_000 } });
      const reply = await ow.invoke('sleep', { ms: 1500 });
      expect(reply.status).toBe(202);
      const { activationId } = reply.body as { activationId: string };
      expect(reply.headers.get('x-openwhisk-activation-id')).toBe(activationId);
      const activation = await ow.activation(activationId);
      expect(activation).toMatchObject({ response: { success: true, result: { slept: 1500 } } });
    });

    it('refuses to override a final parameter', async () => {
      await ow.deploy('context', 'context.js', {
        parameters: [{ key: 'bound', value: 'fixed' }],
        annotations: [{ key: 'final', value: true }],
      });
      const reply = await ow.invoke('context', { bound: 'changed' });
      expect(reply).toMatchObject({ status: 400, body: { error: expect.stringMatching(/not allowed/) } });
    });
  });

  describe('action processes', () => {
    const isAlive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    it('are gone, with their files, once the emulator stops', async () => {
      const own = await startTestEmulator({ modules: [accountModule, functionsModule] });
      const scratch = mkdtempSync(join(tmpdir(), 'ow-pids-'));
      let stopped = false;
      try {
        const client = new OwClient(own, await createNamespace(own, 'lifecycle'));
        await client.deploy('wait', 'pid-spin.js', { limits: { timeout: 60_000 } });
        const pids: number[] = [];
        for (const n of [1, 2]) {
          const pidFile = join(scratch, `pid-${n}`);
          expect((await client.invoke('wait', { pidFile }, '')).status).toBe(202);
          await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
          pids.push(Number(readFileSync(pidFile, 'utf8')));
        }
        expect(pids.every(isAlive)).toBe(true);

        await own.stop();
        stopped = true;
        expect(pids.filter(isAlive)).toEqual([]);
        expect(existsSync(own.emu.workDir)).toBe(false);
      } finally {
        if (!stopped) await own.stop();
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
