/**
 * Action fault rules: an action DigitalOcean accepted that then fails on its side. It ends
 * `errored`, its effect never applies, and the droplet is free for the next action.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import {
  type DropletTestEmulator,
  expectConformance,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

const { dropletBootMs: BOOT_MS, actionMs: ACTION_MS, resizeMs: RESIZE_MS } = REALISTIC_TIMING;

describe('action fault rules', () => {
  let t: DropletTestEmulator;

  beforeAll(async () => {
    t = await startDropletEmulator({ timeScale: 1, timing: { apiLatencyMs: 0 } });
  });
  afterAll(async () => {
    expectConformance(t);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const offDroplet = async () => {
    const answer = (await t.dots.v2.droplets.post({
      region: 'fra1',
      size: 's-1vcpu-1gb',
      image: 'debian-12-x64',
      name: 'worker',
    })) as { droplet: { id: number } };
    await t.advance(BOOT_MS);
    const id = answer.droplet.id;
    await t.dots.v2.droplets.byDroplet_id(id).actions.post({ type: 'power_off' } as never);
    await t.advance(ACTION_MS);
    return id;
  };
  const act = (id: number, body: Record<string, unknown>) =>
    t.dots.v2.droplets.byDroplet_id(id).actions.post(body as never);
  const status = async (actionId: number) =>
    (await t.dots.v2.actions.byAction_id(actionId).get())?.action?.status;

  it('a matching action is accepted, then ends errored without its effect, and the droplet is free again', async () => {
    const id = await offDroplet();
    await t.admin('POST', '/_emulator/faults', { kind: 'action', type: 'resize', resource_id: id, count: 1 });
    const started = (await act(id, { type: 'resize', size: 's-2vcpu-4gb' }))?.action;
    expect(started?.status).toBe('in-progress');
    await t.advance(RESIZE_MS);
    expect(await status(started!.id!)).toBe('errored');
    const droplet = (await t.dots.v2.droplets.byDroplet_id(id).get())!.droplet!;
    expect(droplet).toMatchObject({ sizeSlug: 's-1vcpu-1gb', status: 'off', locked: false });

    // The rule is used up: the same action goes through now.
    const again = (await act(id, { type: 'resize', size: 's-2vcpu-4gb' }))?.action;
    await t.advance(RESIZE_MS);
    expect(await status(again!.id!)).toBe('completed');
    expect((await t.dots.v2.droplets.byDroplet_id(id).get())?.droplet?.sizeSlug).toBe('s-2vcpu-4gb');
  });

  it('matches by type pattern and resource, lets skipped matches through, and refuses a bad rule', async () => {
    const id = await offDroplet();
    await t.admin('POST', '/_emulator/faults', { kind: 'action', type: 'power_*', resource_id: id + 1 });
    await t.admin('POST', '/_emulator/faults', { kind: 'action', type: '*_on', skip: 1, count: 1 });
    const first = (await act(id, { type: 'power_on' }))?.action;
    await t.advance(ACTION_MS);
    expect(await status(first!.id!)).toBe('completed');
    await act(id, { type: 'power_off' });
    await t.advance(ACTION_MS);
    const second = (await act(id, { type: 'power_on' }))?.action;
    await t.advance(ACTION_MS);
    // The second power on of this droplet errored: it stays off.
    expect(await status(second!.id!)).toBe('errored');
    expect((await t.dots.v2.droplets.byDroplet_id(id).get())?.droplet?.status).toBe('off');
    await expect(t.admin('POST', '/_emulator/faults', { kind: 'action', type: '' })).rejects.toThrow(/type/);
  });
});
