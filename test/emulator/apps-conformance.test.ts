/**
 * Every App Platform response checked against DigitalOcean's OpenAPI spec: a run through all the
 * routes the apps module registers, successes and errors, each validated as it is answered.
 */
import { createDigitalOceanClient, DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import type { ParseNodeFactoryRegistry } from '@microsoft/kiota-abstractions';
import { FetchRequestAdapter, HttpClient } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { LenientJsonParseNodeFactory } from '../../lib/do/parse-node.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';

const spec = loadSpec();
const LIVE_AFTER = 101_000;

const appSpec = (tag: string): App_spec => ({
  name: 'base2-web',
  region: 'ams',
  domains: [{ domain: 'base2.example.com', type: 'PRIMARY', zone: 'example.com' }],
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag },
      httpPort: 8080,
      instanceCount: 2,
      instanceSizeSlug: 'apps-d-1vcpu-2gb',
      routes: [{ path: '/' }],
      envs: [
        { key: 'BASE2_ENV', value: 'production', scope: 'RUN_TIME', type: 'GENERAL' },
        { key: 'API_KEY', value: 'secret', scope: 'RUN_AND_BUILD_TIME', type: 'SECRET' },
      ],
    },
  ],
  workers: [{ name: 'jobs', github: { repo: 'base2/jobs', branch: 'main' } }],
  staticSites: [{ name: 'docs', git: { repoCloneUrl: 'https://example.com/docs.git', branch: 'main' } }],
});

describe.skipIf(spec.skip !== undefined)(
  'App Platform conformance with the DigitalOcean OpenAPI spec',
  () => {
    let t: TestEmulator;
    let tracker: ConformanceTracker;
    let dots: ReturnType<typeof createDigitalOceanClient>;

    beforeAll(async () => {
      tracker = new ConformanceTracker(spec.validator!);
      t = await startTestEmulator({
        timeScale: 1,
        timing: { apiLatencyMs: 0 },
        modules: tracker.track([accountModule, appsModule]),
        onResponse: tracker.record,
      });
      const adapter = new FetchRequestAdapter(
        new DigitalOceanApiKeyAuthenticationProvider(t.emu.token),
        undefined,
        undefined,
        new HttpClient(t.fetch as never),
      );
      adapter.baseUrl = t.emu.apiUrl;
      dots = createDigitalOceanClient(adapter);
      const parsers = adapter.getParseNodeFactory() as ParseNodeFactoryRegistry;
      parsers.contentTypeAssociatedFactories.set('application/json', new LenientJsonParseNodeFactory());
    });
    afterAll(async () => {
      await t?.stop();
    });

    const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
    const raw = (method: string, path: string, body?: unknown) =>
      t.fetch(`${t.emu.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    it('answers every apps route in the shapes the spec declares', async () => {
      await dots.v2.apps.regions.get();
      await dots.v2.apps.tiers.instance_sizes.get();
      await dots.v2.apps.tiers.instance_sizes.bySlug('apps-s-1vcpu-1gb').get();
      await dots.v2.apps.propose.post({ spec: appSpec('v1') });
      const app = (await dots.v2.apps.post({ spec: appSpec('v1') }))!.app!;
      const one = dots.v2.apps.byApp_Id(app.id!);
      const first = app.pendingDeployment!.id!;
      await one.get();
      await dots.v2.apps.get({ queryParameters: { withProjects: true } });
      await advance(30_000);
      await one.deployments.byDeployment_id(first).get();
      await one.deployments
        .byDeployment_id(first)
        .logs.get({ queryParameters: { type: 'BUILD', follow: true } });
      await advance(LIVE_AFTER);
      await one.get();
      await dots.v2.apps.propose.post({ spec: appSpec('v1'), appId: app.id! });
      const web = one.deployments.byDeployment_id(first).components.byComponent_name('web');
      await web.logs.get({ queryParameters: { type: 'BUILD' } });
      await web.logs.get({ queryParameters: { type: 'DEPLOY' } });
      await one.logs.get({ queryParameters: { type: 'RUN', follow: true } });
      await one.components.byComponent_name('web').logs.get({ queryParameters: { type: 'RUN' } });
      await one.components.byComponent_name('web').exec.get();
      await web.exec.get();
      await one.instances.get();

      const second = (await one.put({ spec: appSpec('v2') }))!.app!.pendingDeployment!.id!;
      await advance(LIVE_AFTER);
      await one.deployments.get();
      await one.rollback.validate.post({ deploymentId: first });
      await one.rollback.post({ deploymentId: first });
      await one.get();
      await one.rollback.commit.post();
      await advance(LIVE_AFTER);
      await one.rollback.post({ deploymentId: second });
      await one.rollback.revert.post();
      const forced = (await one.deployments.post({ forceBuild: true }))!.deployment!;
      await one.deployments.byDeployment_id(forced.id!).cancel.post();
      await one.deployments.get();

      // Errors: each must still be DigitalOcean's error shape.
      expect((await raw('POST', '/v2/apps', { spec: { name: 'Bad Name' } })).status).toBe(400);
      expect(
        (
          await raw('POST', '/v2/apps', {
            spec: {
              name: 'base2-web',
              services: [{ name: 'ww', image: { registry_type: 'DOCR', repository: 'x' } }],
            },
          })
        ).status,
      ).toBe(409);
      expect((await raw('POST', `/v2/apps/${app.id}/deployments/${forced.id}/cancel`)).status).toBe(400);
      expect((await raw('POST', `/v2/apps/${app.id}/rollback/commit`)).status).toBe(400);
      expect((await raw('GET', `/v2/apps/${app.id}/deployments/${forced.id}/logs?type=DEPLOY`)).status).toBe(
        400,
      );
      expect((await raw('GET', '/v2/apps/0b7e0000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await raw('GET', `/v2/apps/${app.id}/components/nope/exec`)).status).toBe(404);
      await one.delete();
    });

    it('gave only responses that validate, for every operation the module implements', () => {
      const failures = tracker.failures.map(
        (f) =>
          `${f.method} ${f.path} → ${f.status} (${f.operationId}):\n    ${f.errors.join('\n    ')}\n    body: ${JSON.stringify(f.body)?.slice(0, 800)}`,
      );
      expect(failures, failures.join('\n')).toEqual([]);
      const coverage = tracker.coverage();
      expect(coverage.unexercised.filter((id) => id.startsWith('apps_'))).toEqual([]);
      expect(coverage.implemented.filter((id) => id.startsWith('apps_')).length).toBe(24);
      expect(coverage.responses).toBeGreaterThan(30);
    });
  },
);
