import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { functionsModule } from '../../emulator/resources/functions/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { basicAuth, createNamespace, fixture, OwClient } from './fixtures/functions/client.js';

describe('OpenWhisk API of a Functions namespace', () => {
  let t: TestEmulator;
  let ow: OwClient;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, functionsModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    ow = new OwClient(t, await createNamespace(t, 'openwhisk'));
  });

  describe('authentication', () => {
    it('answers with the namespace for its own uuid:key', async () => {
      const reply = await ow.request('GET', '/namespaces');
      expect(reply).toMatchObject({ status: 200, body: [ow.ns.id] });
    });

    it('rejects a wrong key with 401 in OpenWhisk shape', async () => {
      const wrong = new OwClient(t, ow.ns, basicAuth({ uuid: ow.ns.uuid, key: 'not-the-key' }));
      const reply = await wrong.request('GET', '/namespaces/_/actions');
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        error: 'The supplied authentication is invalid',
        code: expect.any(String),
      });
    });

    it('rejects a request without credentials', async () => {
      const response = await t.fetch(`${ow.ns.apiHost}/api/v1/namespaces/_/actions`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: expect.stringMatching(/requires authentication/),
      });
    });

    it("refuses another namespace's path with 403", async () => {
      const other = await createNamespace(t, 'other');
      const reply = await ow.request('GET', `/namespaces/${other.id}/actions`);
      expect(reply.status).toBe(403);
    });

    it('serves API info without credentials', async () => {
      const response = await t.fetch(`${ow.ns.apiHost}/api/v1`);
      expect(await response.json()).toMatchObject({ description: 'OpenWhisk API', api_version_path: 'v1' });
    });
  });

  describe('packages and actions', () => {
    it('puts, gets and deletes a package; an existing one needs overwrite', async () => {
      const put = await ow.request('PUT', '/namespaces/_/packages/tools', {
        parameters: [{ key: 'region', value: 'nyc1' }],
        annotations: [{ key: 'owner', value: 'base2' }],
      });
      expect(put).toMatchObject({
        status: 200,
        body: { name: 'tools', namespace: ow.ns.id, version: '0.0.1' },
      });

      const again = await ow.request('PUT', '/namespaces/_/packages/tools', {});
      expect(again).toMatchObject({ status: 409, body: { error: 'resource already exists' } });

      const overwrite = await ow.request('PUT', '/namespaces/_/packages/tools?overwrite=true', {
        annotations: [{ key: 'stage', value: 'test' }],
      });
      expect(overwrite.body).toMatchObject({
        version: '0.0.2',
        annotations: [
          { key: 'owner', value: 'base2' },
          { key: 'stage', value: 'test' },
        ],
      });

      await ow.deploy('tools/hello', 'hello.js');
      const got = await ow.request('GET', '/namespaces/_/packages/tools');
      expect(got.body).toMatchObject({ actions: [{ name: 'hello', version: '0.0.1' }] });

      const notEmpty = await ow.request('DELETE', '/namespaces/_/packages/tools');
      expect(notEmpty).toMatchObject({
        status: 409,
        body: { error: expect.stringMatching(/^Package not empty/) },
      });
      await ow.request('DELETE', '/namespaces/_/actions/tools/hello');
      expect((await ow.request('DELETE', '/namespaces/_/packages/tools')).status).toBe(200);
      expect((await ow.request('GET', '/namespaces/_/packages/tools')).status).toBe(404);
    });

    it('refuses the reserved package name default', async () => {
      const reply = await ow.request('PUT', '/namespaces/_/packages/default', {});
      expect(reply).toMatchObject({ status: 400, body: { error: "Package name 'default' is reserved." } });
    });

    it('puts an action the way the deployer does, and merges an overwrite', async () => {
      await ow.request('PUT', '/namespaces/_/packages/base2', {});
      const put = await ow.putAction(
        'base2/hello',
        { kind: 'nodejs:18', code: fixture('hello.js'), binary: false },
        {
          parameters: [
            { key: 'name', value: 'Sammy' },
            { key: 'GREETING', value: 'hi', init: true },
          ],
          annotations: [
            { key: 'web-export', value: true },
            { key: 'raw-http', value: false },
            { key: 'final', value: true },
          ],
          limits: { timeout: 5000, memory: 128 },
        },
        false,
      );
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        namespace: `${ow.ns.id}/base2`,
        name: 'hello',
        version: '0.0.1',
        exec: { kind: 'nodejs:18', binary: false },
        limits: { timeout: 5000, memory: 128 },
        annotations: expect.arrayContaining([{ key: 'exec', value: 'nodejs:18' }]),
      });

      const conflict = await ow.putAction('base2/hello', { kind: 'nodejs:18', code: 'x' }, {}, false);
      expect(conflict.status).toBe(409);

      const update = await ow.putAction(
        'base2/hello',
        { kind: 'nodejs:18', code: fixture('hello.js') },
        {
          annotations: [{ key: 'web-export', value: false }],
        },
      );
      expect(update.body).toMatchObject({
        version: '0.0.2',
        limits: { timeout: 5000, memory: 128 },
        parameters: [
          { key: 'name', value: 'Sammy' },
          { key: 'GREETING', value: 'hi', init: true },
        ],
        annotations: expect.arrayContaining([
          { key: 'web-export', value: false },
          { key: 'final', value: true },
        ]),
      });

      const withoutCode = await ow.request('GET', '/namespaces/_/actions/base2/hello?code=false');
      expect((withoutCode.body as { exec: object }).exec).not.toHaveProperty('code');
      const list = await ow.request('GET', '/namespaces/_/actions');
      expect(list.body).toEqual([expect.objectContaining({ name: 'hello', namespace: `${ow.ns.id}/base2` })]);
    });

    it('validates exec, limits and the package', async () => {
      expect((await ow.request('PUT', '/namespaces/_/actions/nothing', {})).body).toMatchObject({
        error: 'exec undefined',
      });
      const kind = await ow.putAction('bad-kind', { kind: 'cobol:1', code: '' });
      expect(kind).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/runtime 'cobol:1' is not supported/) },
      });
      const timeout = await ow.putAction(
        'slow',
        { kind: 'nodejs:18', code: '' },
        { limits: { timeout: 900_001 } },
      );
      expect(timeout.body).toMatchObject({
        error: expect.stringMatching(/exceeds allowed threshold of 900000/),
      });
      expect((await ow.deploy('missing-package/hello', 'hello.js')).status).toBe(404);
    });
  });
});
