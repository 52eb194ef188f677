/**
 * Every response the emulator gives, checked against DigitalOcean's OpenAPI spec: a realistic run
 * through each resource family via dots, then the error answers. Families whose routes are not
 * registered are skipped (and named); any response that does not validate fails with ajv's errors.
 */
import { createDigitalOceanClient, DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots';
import type { ParseNodeFactoryRegistry } from '@microsoft/kiota-abstractions';
import { FetchRequestAdapter, HttpClient, RetryHandlerOptions } from '@microsoft/kiota-http-fetchlibrary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../emulator/modules.js';
import { LenientJsonParseNodeFactory } from '../../lib/do/parse-node.js';
import { ed25519KeyPair } from '../../lib/exec/keys.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec, SpecValidator } from '../support/openapi.js';

const spec = loadSpec();
const DAY = 86_400_000;
/** dots would retry a 429 or 503 after retry-after real seconds; the error answers are what is checked. */
const once = { options: [new RetryHandlerOptions({ maxRetries: 0 })] };
const statusOf = (e: unknown) => (e as { responseStatusCode?: number }).responseStatusCode;
const publicKey = (comment: string) => ed25519KeyPair(comment).public;

type Dots = ReturnType<typeof createDigitalOceanClient>;

describe.skipIf(spec.skip !== undefined)('conformance with the DigitalOcean OpenAPI spec', () => {
  let t: TestEmulator;
  let dots: Dots;
  let tracker: ConformanceTracker;
  const skipped: string[] = [];
  /** Shared across families, as a real deployment shares them. */
  const made: {
    keyId?: number;
    fingerprint?: string;
    dropletId?: number;
    domain?: string;
    registry?: string;
  } = {};

  beforeAll(async () => {
    tracker = new ConformanceTracker(spec.validator!);
    t = await startTestEmulator({
      modules: tracker.track(modules),
      onResponse: tracker.record,
      triggersPreview: true,
    });
    dots = dotsWithToken(t.emu.token);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /**
   * dots as the product uses it (lib/do): the installed Kiota cannot read dots 1.19's primitive
   * arrays (a droplet's `features`, `tags`, …) without the lenient JSON parse node.
   */
  const dotsWithToken = (token: string): Dots => {
    const http = new HttpClient(t.fetch as never);
    const adapter = new FetchRequestAdapter(
      new DigitalOceanApiKeyAuthenticationProvider(token),
      undefined,
      undefined,
      http,
    );
    adapter.baseUrl = t.emu.apiUrl;
    const client = createDigitalOceanClient(adapter);
    const parsers = adapter.getParseNodeFactory() as ParseNodeFactoryRegistry;
    parsers.contentTypeAssociatedFactories.set('application/json', new LenientJsonParseNodeFactory());
    return client;
  };
  const has = (route: string) => {
    const [method, path] = route.split(' ');
    return tracker.hasRoute(method!, path!);
  };
  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  /** One family's scenario, skipped (and reported) while the route it starts from is not registered. */
  const family = (name: string, gate: string, run: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (!has(gate)) {
        skipped.push(name);
        ctx.skip(`${name}: ${gate} is not registered yet`);
      }
      await run();
    });

  family('account', 'GET /v2/account', async () => {
    expect((await dots.v2.account.get())?.account?.status).toBe('active');
  });

  family('ssh keys', 'POST /v2/account/keys', async () => {
    const keys = dots.v2.account.keys;
    const kept = (await keys.post({ name: 'base2-deploy', publicKey: publicKey('deploy') }))?.sshKey;
    const spare = (await keys.post({ name: 'spare', publicKey: publicKey('spare') }))?.sshKey;
    made.keyId = kept!.id!;
    made.fingerprint = kept!.fingerprint!;
    await keys.get({ queryParameters: { perPage: 200 } });
    await keys.bySsh_key_identifier(spare!.id!).get();
    await keys.bySsh_key_identifier(spare!.id!).put({ name: 'spare-renamed' });
    await keys.bySsh_key_identifier(spare!.id!).delete();
  });

  family('droplets and their actions', 'POST /v2/droplets', async () => {
    const droplets = dots.v2.droplets;
    const common = {
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      image: 'ubuntu-24-04-x64',
      sshKeys: made.fingerprint ? [made.fingerprint] : [],
    };
    const web = (await droplets.post({
      ...common,
      name: 'web-1',
      tags: ['base2-web'],
      userData: '#cloud-config\n',
    })) as {
      droplet?: { id?: number };
    };
    made.dropletId = web.droplet!.id!;
    await droplets.post({ ...common, names: ['worker-1', 'worker-2'], tags: ['base2-worker'] });
    await droplets.get({ queryParameters: { perPage: 200 } });
    await droplets.get({ queryParameters: { tagName: 'base2-worker' } });
    if (has('GET /v2/sizes')) await dots.v2.sizes.get({ queryParameters: { perPage: 200 } });
    await droplets.byDroplet_id(made.dropletId).get();
    await advance(5 * 60_000);
    if (!has('POST /v2/droplets/{droplet_id}/actions')) return;
    const actions = droplets.byDroplet_id(made.dropletId).actions;
    const off = (await actions.post({ type: 'power_off' }))?.action;
    await actions.byAction_id(off!.id!).get();
    await advance(5 * 60_000);
    await actions.post({ type: 'power_on' });
    await actions.get();
    await advance(5 * 60_000);
    if (has('POST /v2/droplets/actions')) {
      await droplets.actions.post({ type: 'power_cycle' }, { queryParameters: { tagName: 'base2-worker' } });
      await advance(5 * 60_000);
    }
    if (has('GET /v2/actions')) {
      const all = await dots.v2.actions.get({ queryParameters: { perPage: 5 } });
      await dots.v2.actions.byAction_id(all!.actions![0]!.id!).get();
    }
    if (has('DELETE /v2/droplets')) await droplets.delete({ queryParameters: { tagName: 'base2-worker' } });
  });

  family('tags', 'POST /v2/tags', async () => {
    const tags = dots.v2.tags;
    await tags.post({ name: 'base2-blue' });
    await tags.get();
    await tags.byTag_id('base2-blue').get();
    if (made.dropletId !== undefined) {
      const resources = {
        resources: [{ resourceId: String(made.dropletId), resourceType: 'droplet' as const }],
      };
      await tags.byTag_id('base2-blue').resources.post(resources);
      await tags.byTag_id('base2-blue').get();
      await tags.byTag_id('base2-blue').resources.delete(resources);
    }
    await tags.byTag_id('base2-blue').delete();
  });

  family('domains and records', 'POST /v2/domains', async () => {
    const domains = dots.v2.domains;
    made.domain = 'base2.example.com';
    await domains.post({ name: made.domain, ipAddress: '203.0.113.10' });
    await domains.get();
    await domains.byDomain_name(made.domain).get();
    const records = domains.byDomain_name(made.domain).records;
    if (!has('POST /v2/domains/{domain_name}/records')) return;
    const www = (await records.post({ type: 'A', name: 'www', data: '203.0.113.10', ttl: 1800 }))
      ?.domainRecord;
    await records.get({ queryParameters: { type: 'A', name: `www.${made.domain}` } });
    await records.byDomain_record_id(www!.id!).get();
    await records.byDomain_record_id(www!.id!).patch({ type: 'A', ttl: 3600 });
    await records
      .byDomain_record_id(www!.id!)
      .put({ type: 'A', name: 'www', data: '203.0.113.11', ttl: 3600 });
    await records.byDomain_record_id(www!.id!).delete();
  });

  family('firewalls', 'POST /v2/firewalls', async () => {
    const everywhere = { addresses: ['0.0.0.0/0', '::/0'] };
    const dropletIds = made.dropletId === undefined ? [] : [made.dropletId];
    const rules = {
      inboundRules: [{ protocol: 'tcp' as const, ports: '22', sources: everywhere }],
      outboundRules: [{ protocol: 'tcp' as const, ports: '0', destinations: everywhere }],
    };
    const firewall = (await dots.v2.firewalls.post({ name: 'base2-web', ...rules, dropletIds }))?.firewall;
    const one = dots.v2.firewalls.byFirewall_id(firewall!.id!);
    await dots.v2.firewalls.get();
    await one.get();
    await one.put({ name: 'base2-web', ...rules, dropletIds, tags: ['base2-web'] });
    const web = { inboundRules: [{ protocol: 'tcp' as const, ports: '443', sources: everywhere }] };
    await one.rules.post(web);
    await one.rules.delete(web);
    await one.tags.post({ tags: ['base2-blue'] });
    await one.tags.delete({ tags: ['base2-blue'] });
    if (made.dropletId !== undefined) {
      await one.droplets.delete({ dropletIds: [made.dropletId] });
      await one.droplets.post({ dropletIds: [made.dropletId] });
      if (has('GET /v2/droplets/{droplet_id}/firewalls'))
        await dots.v2.droplets.byDroplet_id(made.dropletId).firewalls.get();
    }
    await one.delete();
  });

  family('projects', 'POST /v2/projects', async () => {
    const projects = dots.v2.projects;
    await projects.get();
    const fallback = (await projects.defaultEscaped.get())?.project;
    if (has('PATCH /v2/projects/default'))
      await projects.defaultEscaped.patch({ description: 'Everything else' });
    if (has('PUT /v2/projects/default')) {
      const { name, purpose, environment } = fallback ?? {};
      await projects.defaultEscaped.put({
        name,
        purpose,
        environment,
        description: 'Everything else',
        isDefault: true,
      });
    }
    if (has('GET /v2/projects/default/resources')) await projects.defaultEscaped.resources.get();
    const project = (
      await projects.post({ name: 'base2', purpose: 'Web Application', environment: 'Production' })
    )?.project;
    const one = projects.byProject_id(project!.id!);
    await one.get();
    await one.patch({ description: 'The Base2 build' });
    await one.put({
      name: 'base2',
      description: 'The Base2 build',
      purpose: 'Web Application',
      environment: 'Production',
      isDefault: false,
    });
    const urns = [
      ...(made.dropletId === undefined ? [] : [`do:droplet:${made.dropletId}`]),
      ...(made.domain === undefined ? [] : [`do:domain:${made.domain}`]),
    ];
    if (urns.length > 0) {
      await one.resources.post({ resources: urns });
      await one.resources.get();
      // A project with resources cannot be deleted: they go back to the default project first.
      await projects.defaultEscaped.resources.post({ resources: urns });
    }
    await one.delete();
  });

  family('container registry', 'POST /v2/registry', async () => {
    const registry = dots.v2.registry;
    if (has('GET /v2/registry/options')) await registry.optionsPath.get();
    if (has('POST /v2/registry/validate-name')) await registry.validateName.post({ name: 'base2-tests' });
    await registry.post({ name: 'base2-tests', subscriptionTierSlug: 'basic', region: 'nyc3' });
    made.registry = 'base2-tests';
    await registry.get();
    if (has('GET /v2/registry/subscription')) await registry.subscription.get();
    if (has('GET /v2/registry/docker-credentials'))
      await registry.dockerCredentials.get({ queryParameters: { readWrite: true, expirySeconds: 3600 } });
    if (has('POST /v2/registry/subscription')) await registry.subscription.post({ tierSlug: 'professional' });
    const named = registry.byRegistry_name('base2-tests');
    // Images arrive by `docker push`; the emulator takes pushes through its admin API.
    if (has('POST /_emulator/registry/images')) {
      for (const tag of ['1.0.0', '1.1.0', 'latest'])
        await t.admin('POST', '/_emulator/registry/images', { repository: 'api', tag });
      await named.repositories.get();
      await named.repositoriesV2.get();
      const api = named.repositories.byRepository_name('api');
      await api.tags.get();
      const digests = (await api.digests.get())?.manifests ?? [];
      await api.tags.byRepository_tag('1.0.0').delete();
      const old = digests.find((m) => m.tags?.includes('1.1.0'));
      if (old?.digest) await api.digests.byManifest_digest(old.digest).delete();
    }
    if (has('POST /v2/registry/{registry_name}/garbage-collection')) {
      const first = (
        await named.garbageCollection.post({ type: 'untagged manifests and unreferenced blobs' })
      )?.garbageCollection;
      await named.garbageCollection.get();
      await named.garbageCollection.byGarbage_collection_uuid(first!.uuid!).put({ cancel: true });
      await named.garbageCollection.post({ type: 'unreferenced blobs only' });
      await advance(DAY);
      await named.garbageCollections.get();
    }
  });

  family('apps, deployments, logs and console', 'POST /v2/apps', async () => {
    const image = {
      registryType: 'DOCKER_HUB' as const,
      registry: 'library',
      repository: 'nginx',
      tag: '1.27',
    };
    const env = {
      key: 'BASE2_ENV',
      value: 'production',
      scope: 'RUN_TIME' as const,
      type: 'GENERAL' as const,
    };
    const size = 'apps-s-1vcpu-0.5gb';
    const service = {
      name: 'web',
      image,
      httpPort: 8080,
      instanceCount: 1,
      instanceSizeSlug: size,
      envs: [env],
    };
    const appSpec = { name: 'base2-web', region: 'nyc' as const, services: [service] };
    const apps = dots.v2.apps;
    if (has('GET /v2/apps/regions')) await apps.regions.get();
    if (has('GET /v2/apps/tiers/instance_sizes/{slug}')) {
      await apps.tiers.instance_sizes.get();
      await apps.tiers.instance_sizes.bySlug(size).get();
    }
    if (has('POST /v2/apps/propose')) await apps.propose.post({ spec: appSpec });
    const one = apps.byApp_Id((await apps.post({ spec: appSpec }))!.app!.id!);
    await apps.get();
    await one.get();
    await advance(DAY);
    await one.get();
    const first = (await one.deployments.get())!.deployments!.at(-1)!.id!;
    const deployment = one.deployments.byDeployment_id(first);
    await deployment.get();
    const web = one.components.byComponent_name('web');
    const optional: [string, () => Promise<unknown>][] = [
      [
        'GET /v2/apps/{app_id}/deployments/{deployment_id}/components/{component_name}/logs',
        () =>
          deployment.components
            .byComponent_name('web')
            .logs.get({ queryParameters: { type: 'BUILD', follow: false } }),
      ],
      [
        'GET /v2/apps/{app_id}/deployments/{deployment_id}/logs',
        () => deployment.logs.get({ queryParameters: { type: 'DEPLOY', follow: false } }),
      ],
      [
        'GET /v2/apps/{app_id}/deployments/{deployment_id}/components/{component_name}/exec',
        () => deployment.components.byComponent_name('web').exec.get(),
      ],
      ['GET /v2/apps/{app_id}/logs', () => one.logs.get({ queryParameters: { type: 'RUN', follow: false } })],
      [
        'GET /v2/apps/{app_id}/components/{component_name}/logs',
        () => web.logs.get({ queryParameters: { type: 'RUN', follow: false } }),
      ],
      ['GET /v2/apps/{app_id}/components/{component_name}/exec', () => web.exec.get()],
      ['GET /v2/apps/{app_id}/instances', () => one.instances.get()],
      ['GET /v2/apps/{app_id}/health', () => one.health.get()],
    ];
    for (const [route, call] of optional) if (has(route)) await call();

    const next = (await one.deployments.post({ forceBuild: true }))?.deployment;
    if (has('POST /v2/apps/{app_id}/deployments/{deployment_id}/cancel'))
      await one.deployments.byDeployment_id(next!.id!).cancel.post();
    env.value = 'staging';
    await one.put({ spec: appSpec });
    await advance(DAY);
    if (has('POST /v2/apps/{app_id}/rollback')) {
      const staging = (await one.deployments.get())!.deployments![0]!.id!;
      await one.rollback.validate.post({ deploymentId: first });
      await one.rollback.post({ deploymentId: first, skipPin: false });
      await advance(DAY);
      await one.rollback.commit.post();
      await one.rollback.post({ deploymentId: staging, skipPin: false });
      await advance(DAY);
      await one.rollback.revert.post();
      await advance(DAY);
    }
    if (has('POST /v2/apps/{app_id}/restart')) await one.restart.post({});
    await one.delete();
  });

  family('functions namespaces and triggers', 'POST /v2/functions/namespaces', async () => {
    const namespaces = dots.v2.functions.namespaces;
    const namespace = (await namespaces.post({ label: 'base2', region: 'nyc1' }))?.namespace;
    const one = namespaces.byNamespace_id(namespace!.namespace!);
    await namespaces.get();
    await one.get();
    // A trigger names a deployed function: deploy one through the namespace's OpenWhisk API, as doctl does.
    if (
      has('POST /v2/functions/namespaces/{namespace_id}/triggers') &&
      has('PUT /api/v1/namespaces/{ns}/actions/{pkg}/{action}')
    ) {
      const openWhisk = (path: string, body: unknown) =>
        t.fetch(`${namespace!.apiHost}/api/v1/namespaces/_/${path}?overwrite=true`, {
          method: 'PUT',
          headers: {
            authorization: `Basic ${Buffer.from(`${namespace!.uuid}:${namespace!.key}`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        });
      expect((await openWhisk('packages/base2', {})).status).toBe(200);
      const code = 'function main() { return { body: "cleaned" }; }';
      expect((await openWhisk('actions/base2/cleanup', { exec: { kind: 'nodejs:18', code } })).status).toBe(
        200,
      );
      const scheduledDetails = { cron: '0 3 * * *', body: { additionalData: { job: 'cleanup' } } };
      await one.triggers.post({
        name: 'nightly',
        functionEscaped: 'base2/cleanup',
        type: 'SCHEDULED',
        isEnabled: true,
        scheduledDetails,
      });
      await one.triggers.get();
      await one.triggers.byTrigger_name('nightly').get();
      await one.triggers.byTrigger_name('nightly').put({ isEnabled: false, scheduledDetails });
      await one.triggers.byTrigger_name('nightly').delete();
    }
    await one.delete();
  });

  family('teardown', 'DELETE /v2/droplets/{droplet_id}', async () => {
    if (made.dropletId !== undefined) await dots.v2.droplets.byDroplet_id(made.dropletId).delete();
    if (made.domain !== undefined && has('DELETE /v2/domains/{domain_name}'))
      await dots.v2.domains.byDomain_name(made.domain).delete();
    if (made.keyId !== undefined) await dots.v2.account.keys.bySsh_key_identifier(made.keyId).delete();
    if (made.registry !== undefined && has('DELETE /v2/registry')) await dots.v2.registry.delete();
  });

  it('answers errors in the shapes the spec declares: 401, 404, 422, 429', async () => {
    const stranger = dotsWithToken('dop_v1_wrong');
    const expectStatus = async (status: number, call: () => Promise<unknown>) =>
      expect(await call().then(() => 200, statusOf)).toBe(status);

    await expectStatus(401, () => stranger.v2.account.get());
    if (has('GET /v2/droplets')) await expectStatus(401, () => stranger.v2.droplets.get());
    if (has('GET /v2/droplets/{droplet_id}'))
      await expectStatus(404, () => dots.v2.droplets.byDroplet_id(1).get());
    if (has('GET /v2/account/keys/{ssh_key_identifier}'))
      await expectStatus(404, () => dots.v2.account.keys.bySsh_key_identifier(1).get());
    if (has('GET /v2/domains/{domain_name}'))
      await expectStatus(404, () => dots.v2.domains.byDomain_name('nowhere.example.com').get());
    if (has('GET /v2/apps/{id}'))
      await expectStatus(404, () => dots.v2.apps.byApp_Id('4f6c71e2-1e90-4762-9fee-6cc4a0a9f2cf').get());
    if (has('POST /v2/account/keys'))
      await expectStatus(422, () => dots.v2.account.keys.post({ name: 'bad', publicKey: 'ssh-rsa nope' }));
    if (has('POST /v2/droplets'))
      await expectStatus(422, () =>
        dots.v2.droplets.post({
          name: 'bad',
          region: 'nyc3',
          size: 'no-such-size',
          image: 'ubuntu-24-04-x64',
        }),
      );

    await t.admin('POST', '/_emulator/rate-limit', { per_minute: 1 });
    try {
      await dots.v2.account.get(once);
      await expectStatus(429, () => dots.v2.account.get(once));
    } finally {
      await t.admin('POST', '/_emulator/rate-limit', { per_minute: 250 });
    }
  });

  it('gave only responses that validate against the spec', () => {
    const c = tracker.coverage();
    const percent = c.exercised.length === 0 ? 100 : Math.floor((c.valid.length / c.exercised.length) * 100);
    const lines = [
      `conformance: ${c.implemented.length} operations implemented, ${c.exercised.length} exercised, ${c.valid.length} valid (${percent}%)`,
      `  ${c.responses} responses checked`,
      ...(skipped.length ? [`  families skipped (routes not registered yet): ${skipped.join(', ')}`] : []),
      ...(c.unexercised.length ? [`  implemented but never exercised: ${c.unexercised.join(', ')}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const failures = tracker.failures.map(
      (f) =>
        `${f.method} ${f.path} → ${f.status} (${f.operationId}):\n    ${f.errors.join('\n    ')}\n    body: ${JSON.stringify(f.body)?.slice(0, 600)}`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(c.exercised.length).toBeGreaterThan(0);
  });
});

describe('the spec validator', () => {
  const error = {
    type: 'object',
    required: ['id', 'message'],
    properties: { id: { type: 'string' }, message: { type: 'string' } },
  };
  const mini = new SpecValidator({
    paths: {
      '/v2/things/{thing_id}': {
        get: {
          operationId: 'things_get',
          responses: {
            200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } },
            default: { $ref: '#/components/responses/error' },
          },
        },
        delete: { operationId: 'things_delete', responses: { 204: { description: 'gone' } } },
      },
      '/v2/things/special': {
        get: { operationId: 'things_special', responses: { 200: { description: 'ok' } } },
      },
    },
    components: {
      responses: { error: { content: { 'application/json': { schema: error } } } },
      schemas: {
        thing: {
          type: 'object',
          required: ['thing'],
          properties: {
            thing: {
              type: 'object',
              required: ['id', 'secret', 'status'],
              example: { id: 1 },
              'x-internal': true,
              properties: {
                id: { type: 'integer', readOnly: true },
                secret: { type: 'string', writeOnly: true },
                status: { type: 'string', enum: ['new', 'active', 'off'] },
                region: { allOf: [{ $ref: '#/components/schemas/region' }], nullable: true },
                shape: {
                  oneOf: [{ type: 'integer' }, { type: 'string' }],
                  discriminator: { propertyName: 'x' },
                },
              },
            },
          },
        },
        region: { type: 'object', required: ['slug'], properties: { slug: { type: 'string' } } },
      },
    },
  });
  const check = (status: number, body: unknown, method = 'GET', route = '/v2/things/:id') =>
    mini.validateResponse({ method, route, path: route.replace(':id', '7'), status, body });

  it('maps emulator route patterns to spec operations, literal segments included', () => {
    expect(mini.operationFor('GET', '/v2/things/:id')).toBe('things_get');
    expect(mini.operationFor('get', '/v2/things/special')).toBe('things_special');
    expect(mini.operationFor('POST', '/v2/things/:id')).toBeUndefined();
    expect(check(200, {}, 'GET', '/_emulator/state')).toEqual({
      operationId: undefined,
      valid: true,
      errors: [],
    });
  });

  it('accepts a valid body, null where nullable, and write-only properties left out', () => {
    expect(check(200, { thing: { id: 7, status: 'off', region: null, shape: 'round' } })).toEqual({
      operationId: 'things_get',
      valid: true,
      errors: [],
    });
    expect(check(200, { thing: { id: 7, status: 'active', region: { slug: 'nyc3' } } }).valid).toBe(true);
  });

  it('rejects missing required properties, wrong types, enum misses and write-only properties', () => {
    const result = check(200, { thing: { id: '7', status: 'booting', secret: 's', shape: true } });
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/\/thing\/id must be integer/);
    expect(result.errors.join('\n')).toMatch(/\/thing\/status must be equal to one of the allowed values/);
    expect(result.errors.join('\n')).toMatch(/\/thing\/secret boolean schema is false/);
    expect(result.errors.join('\n')).toMatch(/\/thing\/shape must be integer/);
    expect(check(200, { thing: { id: 7 } }).errors.join('\n')).toMatch(
      /must have required property 'status'/,
    );
    expect(check(200, { thing: { id: 7, status: 'new', region: { name: 'x' } } }).valid).toBe(false);
  });

  it('falls back to the default response, and fails a status the operation does not declare', () => {
    expect(
      check(404, { id: 'not_found', message: 'The resource you were accessing could not be found.' }).valid,
    ).toBe(true);
    expect(check(404, { message: 'no id' }).valid).toBe(false);
    expect(check(200, undefined, 'GET', '/v2/things/special').valid).toBe(true);
    expect(check(404, undefined, 'GET', '/v2/things/special')).toMatchObject({
      valid: false,
      errors: ['status 404 is not declared (and no default)'],
    });
  });

  it('requires an empty body where the spec declares none', () => {
    expect(check(204, undefined, 'DELETE').valid).toBe(true);
    expect(check(204, { deleted: true }, 'DELETE')).toMatchObject({
      valid: false,
      errors: ['the spec declares no body'],
    });
  });

  it('loads the official spec, failing under CI when it is missing', () => {
    const ci = process.env.CI;
    try {
      process.env.CI = 'true';
      expect(() => loadSpec('/nonexistent/DigitalOcean-public.v2.yaml')).toThrow(/required under CI/);
      process.env.CI = 'false';
      expect(loadSpec('/nonexistent/DigitalOcean-public.v2.yaml').skip).toMatch(/not found at \/nonexistent/);
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });
});
