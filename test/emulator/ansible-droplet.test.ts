import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firewallsModule } from '../../emulator/resources/firewalls/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ansibleDropletCreate } from './fixtures/ansible-droplet-create.js';
import { dropletModules } from './fixtures/droplet-emulator.js';

/**
 * Ansible's community.digitalocean collection creates a droplet and then powers it on, running or
 * not, waiting for that action to complete (its integration tests do this against DigitalOcean).
 */
describe("a droplet created the way Ansible's community.digitalocean creates it", () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({
      modules: [...dropletModules, firewallsModule],
      timing: { apiLatencyMs: 0 },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await t.fetch(`${t.emu.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
  };

  it('creates the droplet and completes the power_on it sends to the new, active droplet', async () => {
    const result = await ansibleDropletCreate(
      call,
      { name: 'ansible-web', size: 's-1vcpu-1gb', image: 'debian-12-x64', region: 'fra1' },
      { pollMs: 20, deadlineMs: 20_000 },
    );
    expect(result.msg).toBeUndefined();
    expect(result.failed).toBe(false);
    expect(result.droplet?.status).toBe('active');
    const id = result.droplet!.id;
    // The conversation the module has, polls collapsed: nothing in it was refused.
    const distinct = result.requests.filter((r, i, all) => r !== all[i - 1]);
    expect(distinct).toEqual([
      'GET /v2/account',
      'GET /v2/firewalls',
      'POST /v2/droplets',
      `GET /v2/droplets/${id}`,
      `POST /v2/droplets/${id}/actions`,
      expect.stringMatching(new RegExp(`^GET /v2/droplets/${id}/actions/\\d+$`)),
      `GET /v2/droplets/${id}`,
    ]);
    const actions = (await t.dots.v2.droplets.byDroplet_id(id).actions.get())?.actions;
    expect(actions?.map((a) => [a.type, a.status])).toEqual([
      ['power_on', 'completed'],
      ['create', 'completed'],
    ]);
  });
});
