// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${APP_URL} in plain strings is the binding syntax under test
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { appWideVariables, bindVariables } from '../../emulator/resources/apps/bindable.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const LIVE_AFTER = 101_000;

const spec: App_spec = {
  name: 'base2-bound',
  region: 'nyc',
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag: 'v1' },
      instanceCount: 1,
      instanceSizeSlug: 'apps-s-1vcpu-0.5gb',
      envs: [
        { key: 'PUBLIC_URL', value: '${APP_URL}', scope: 'RUN_TIME', type: 'GENERAL' },
        { key: 'LINK', value: 'see ${APP_URL}/docs on ${APP_DOMAIN}', scope: 'RUN_TIME', type: 'GENERAL' },
        { key: 'WHO', value: '${APP_ID}', scope: 'RUN_TIME', type: 'GENERAL' },
      ],
    },
  ],
};

describe('App Platform bindable variables', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({
      timeScale: 1,
      timing: { apiLatencyMs: 0 },
      modules: [accountModule, appsModule],
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('replaces ${APP_URL}, ${APP_DOMAIN} and ${APP_ID} in what the components see, and keeps the spec as written', async () => {
    const app = (await t.dots.v2.apps.post({ spec }))!.app!;
    await t.admin('POST', '/_emulator/clock', { advance_ms: LIVE_AFTER });
    const live = (await t.dots.v2.apps.byApp_Id(app.id!).get())!.app!;
    const domain = live.liveDomain!;
    expect(live.defaultIngress).toBe(`https://${domain}`);
    const served = (await (await t.fetch(live.liveUrl!)).json()) as { env: Record<string, string> };
    expect(served.env).toEqual({
      PUBLIC_URL: `https://${domain}`,
      LINK: `see https://${domain}/docs on ${domain}`,
      WHO: app.id,
    });
    // The spec keeps the references: DigitalOcean binds them when it deploys, not in the spec.
    expect(live.spec!.services![0]!.envs![0]!.value).toBe('${APP_URL}');
  });

  it('binds the PRIMARY domain when the app has one, and leaves other references as written', () => {
    const app = { id: 'a1', ingressHost: 'base2-x1y2z.ondigitalocean.app' };
    const vars = appWideVariables(app, {
      name: 'base2',
      domains: [
        { domain: 'alias.example.com', type: 'ALIAS' },
        { domain: 'base2.example.com', type: 'PRIMARY' },
      ],
    } as never);
    expect(vars).toEqual({
      APP_URL: 'https://base2.example.com',
      APP_DOMAIN: 'base2.example.com',
      APP_ID: 'a1',
    });
    expect(bindVariables({ A: '${_self.URL}|${APP_DOMAIN}|$APP_URL|${NOPE}' }, vars)).toEqual({
      A: '${_self.URL}|base2.example.com|$APP_URL|${NOPE}',
    });
  });
});
