import type { createDigitalOceanClient } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

type Dots = ReturnType<typeof createDigitalOceanClient>;

async function failure(call: Promise<unknown>): Promise<{ status: number; message?: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const SECRET = 's3cret-value';
const ENCRYPTED = /^EV\[1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+\]$/;
const LIVE_AFTER = 101_000;

const spec = (greeting = 'hello', secret = SECRET): App_spec => ({
  name: 'base2-web',
  region: 'nyc',
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag: 'v1' },
      instanceCount: 1,
      instanceSizeSlug: 'apps-s-1vcpu-0.5gb',
      envs: [
        { key: 'GREETING', value: greeting, scope: 'RUN_TIME', type: 'GENERAL' },
        { key: 'API_KEY', value: secret, scope: 'RUN_AND_BUILD_TIME', type: 'SECRET' },
      ],
    },
  ],
});

describe('App Platform secrets, live URL and logs', () => {
  let t: TestEmulator;
  let dots: Dots;

  beforeAll(async () => {
    t = await startTestEmulator({
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [accountModule, appsModule],
    });
    dots = t.dots;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  const create = async (s = spec()) => (await dots.v2.apps.post({ spec: s }))!.app!;
  const envs = async (id: string) => (await dots.v2.apps.byApp_Id(id).get())!.app!.spec!.services![0]!.envs!;
  const raw = async (path: string, init: RequestInit = {}) =>
    t.fetch(`${t.emu.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
    });

  describe('SECRET envs', () => {
    it('are returned encrypted, stably, and never in plain text', async () => {
      const app = await create();
      const [greeting, secret] = await envs(app.id!);
      expect(greeting!.value).toBe('hello');
      expect(secret!.value).toMatch(ENCRYPTED);
      expect((await envs(app.id!))[1]!.value).toBe(secret!.value);
      const wire = await (await raw(`/v2/apps/${app.id}`)).text();
      expect(wire).not.toContain(SECRET);
      expect(await (await raw(`/v2/apps/${app.id}/deployments`)).text()).not.toContain(SECRET);
    });

    it('round-trip unchanged: sending the encrypted form back keeps the value and makes no deployment', async () => {
      const app = await create();
      const read = (await dots.v2.apps.byApp_Id(app.id!).get())!.app!.spec!;
      await dots.v2.apps.byApp_Id(app.id!).put({ spec: read });
      expect((await dots.v2.apps.byApp_Id(app.id!).deployments.get())!.meta?.total).toBe(1);
      const sealed = (await envs(app.id!))[1]!.value;
      // Another change, same sealed secret: a new deployment, and the secret still decrypts to the same value.
      read.services![0]!.envs![0]!.value = 'bonjour';
      const updated = (await dots.v2.apps.byApp_Id(app.id!).put({ spec: read }))!.app!;
      expect(updated.pendingDeployment?.id).toBeDefined();
      expect((await envs(app.id!))[1]!.value).toBe(sealed);
      // A new plain value encrypts differently.
      await dots.v2.apps.byApp_Id(app.id!).put({ spec: spec('bonjour', 'rotated') });
      expect((await envs(app.id!))[1]!.value).not.toBe(sealed);
    });

    it('refuses encrypted values before the app exists, and values encrypted for another app', async () => {
      const first = await create();
      const sealed = (await envs(first.id!))[1]!.value!;
      const created = await failure(dots.v2.apps.post({ spec: { ...spec('x', sealed), name: 'other' } }));
      expect(created.status).toBe(400);
      expect(created.message).toContain('must not be encrypted before app is created');
      const second = await create({ ...spec(), name: 'second' });
      const moved = await failure(
        dots.v2.apps.byApp_Id(second.id!).put({ spec: { ...spec('x', sealed), name: 'second' } }),
      );
      expect(moved.status).toBe(400);
      expect(moved.message).toContain('"API_KEY"');
    });
  });

  describe('live URL', () => {
    it('answers 503 until a deployment is live, then what the active deployment runs, without secrets', async () => {
      const app = await create();
      const url = `${t.emu.apiUrl}/_emulator/live/${app.id}/`;
      expect((await t.fetch(url)).status).toBe(503);
      await advance(LIVE_AFTER);
      const live = (await dots.v2.apps.byApp_Id(app.id!).get())!.app!;
      expect(live.liveUrl).toBe(url);
      const response = await t.fetch(`${url}some/path?x=1`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(SECRET);
      expect(JSON.parse(text)).toEqual({
        app: 'base2-web',
        component: 'web',
        deployment_id: live.activeDeployment!.id,
        image: 'base2:v1',
        env: { GREETING: 'hello' },
        path: '/some/path',
      });
      expect((await t.fetch(`${url}healthz`)).status).toBe(200);
      // Live traffic is not API traffic: it is neither logged nor rate-limited.
      expect((await t.requests()).some((r) => r.path.includes('/_emulator/live'))).toBe(false);
      await dots.v2.apps.byApp_Id(app.id!).delete();
      expect((await t.fetch(url)).status).toBe(404);
    });

    it('routes paths to components by their routes, stripping the prefix unless preserved', async () => {
      const image = {
        registryType: 'DOCKER_HUB' as const,
        registry: 'base2',
        repository: 'base2',
        tag: 'v1',
      };
      const app = await create({
        name: 'routed',
        services: [
          { name: 'web', image, routes: [{ path: '/' }] },
          { name: 'api', image: { ...image, tag: 'api' }, routes: [{ path: '/api' }] },
          {
            name: 'raw',
            image: { ...image, tag: 'raw' },
            routes: [{ path: '/raw', preservePathPrefix: true }],
          },
        ],
      });
      await advance(LIVE_AFTER);
      const get = async (path: string) =>
        (await (await t.fetch(`${t.emu.apiUrl}/_emulator/live/${app.id}${path}`)).json()) as {
          component: string;
          path: string;
        };
      expect(await get('/api/users')).toMatchObject({ component: 'api', path: '/users' });
      expect(await get('/apiary')).toMatchObject({ component: 'web', path: '/apiary' });
      expect(await get('/raw/x')).toMatchObject({ component: 'raw', path: '/raw/x' });
      expect(await get('/')).toMatchObject({ component: 'web', path: '/' });
    });

    it('is 404 for an app that does not exist', async () => {
      expect(
        (await t.fetch(`${t.emu.apiUrl}/_emulator/live/0b7e0000-0000-4000-8000-000000000000/`)).status,
      ).toBe(404);
    });
  });

  describe('logs', () => {
    it('serve build, deploy and run logs as text from signed URLs that need no bearer token', async () => {
      const app = await create();
      await advance(LIVE_AFTER);
      await t.fetch(`${t.emu.apiUrl}/_emulator/live/${app.id}/hello`);
      const one = dots.v2.apps.byApp_Id(app.id!);
      const deploymentId = app.pendingDeployment!.id!;
      const logs = one.deployments.byDeployment_id(deploymentId).components.byComponent_name('web').logs;
      const build = (await logs.get({ queryParameters: { type: 'BUILD' } }))!;
      expect(build.liveUrl).toBeUndefined();
      const buildText = await (await t.fetch(build.historicUrls![0]!)).text();
      const lines = buildText.trim().split('\n');
      expect(lines[0]).toMatch(
        /^web \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z Preparing image base2:v1 from DigitalOcean Container Registry$/,
      );
      expect(lines.at(-1)).toMatch(/✔ build complete$/);
      const deploy = (await one.deployments
        .byDeployment_id(deploymentId)
        .logs.get({ queryParameters: { type: 'DEPLOY' } }))!;
      expect(await (await t.fetch(deploy.historicUrls![0]!)).text()).toContain('deployed and healthy');
      const run = (await one.logs.get({ queryParameters: { type: 'RUN' } }))!;
      const runText = await (await t.fetch(run.historicUrls![0]!)).text();
      expect(runText).toContain('Starting base2:v1');
      expect(runText).toContain('GET /hello 200');
      expect(runText).not.toContain(SECRET);
      const forged = build.historicUrls![0]!.replace(/token=[^&]+/, 'token=forged');
      expect((await t.fetch(forged)).status).toBe(401);
    });

    it('follows a running build over a websocket until it completes', async () => {
      const app = await create();
      await advance(30_000);
      const logs = dots.v2.apps
        .byApp_Id(app.id!)
        .deployments.byDeployment_id(app.pendingDeployment!.id!).logs;
      const follow = (await logs.get({ queryParameters: { type: 'BUILD', follow: true } }))!;
      expect(follow.liveUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/_emulator\/logs\//);
      const ws = new WebSocket(follow.liveUrl!.replace(/^https:/, 'wss:'), { ca: t.emu.caPem });
      const frames: string[] = [];
      ws.on('message', (data) => frames.push((JSON.parse(data.toString()) as { data: string }).data));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise((resolve) => ws.on('open', resolve));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(frames.join('')).toContain('Pulled image base2:v1');
      expect(frames.join('')).not.toContain('build complete');
      await advance(60_000);
      expect(await closed).toBe(1000);
      expect(frames.join('')).toContain('✔ build complete\n');
    });

    it('answer 400 for a phase not reached, a missing type, or no active deployment', async () => {
      const app = await create();
      const one = dots.v2.apps.byApp_Id(app.id!);
      const logs = one.deployments.byDeployment_id(app.pendingDeployment!.id!).logs;
      expect((await failure(logs.get({ queryParameters: { type: 'BUILD' } }))).status).toBe(400);
      expect((await raw(`/v2/apps/${app.id}/deployments/${app.pendingDeployment!.id}/logs`)).status).toBe(
        400,
      );
      expect((await failure(one.logs.get({ queryParameters: { type: 'RUN' } }))).status).toBe(400);
      expect(
        (
          await failure(
            one.components.byComponent_name('nope').logs.get({ queryParameters: { type: 'RUN' } }),
          )
        ).status,
      ).toBe(400);
      await advance(LIVE_AFTER);
      expect(
        (
          await failure(
            one.components.byComponent_name('nope').logs.get({ queryParameters: { type: 'RUN' } }),
          )
        ).status,
      ).toBe(404);
    });
  });
});
