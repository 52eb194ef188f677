import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IMAGES } from '../../emulator/resources/droplets/catalog.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import {
  type DropletTestEmulator,
  expectConformance,
  failure,
  startDropletEmulator,
} from './fixtures/droplet-emulator.js';

const {
  dropletBootMs: BOOT_MS,
  actionMs: ACTION_MS,
  resizeMs: RESIZE_MS,
  statusLagMs: LAG_MS,
} = REALISTIC_TIMING;
const base = { region: 'fra1', size: 's-1vcpu-1gb', image: 'debian-12-x64' };

describe('droplet actions', () => {
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

  const activeDroplet = async (name = 'worker', extra: Record<string, unknown> = {}) => {
    const answer = (await t.dots.v2.droplets.post({ ...base, name, ...extra })) as {
      droplet: { id: number };
    };
    await t.advance(BOOT_MS);
    return answer.droplet.id;
  };
  const act = (id: number, body: Record<string, unknown>) =>
    t.dots.v2.droplets.byDroplet_id(id).actions.post(body as never);
  const droplet = async (id: number) => (await t.dots.v2.droplets.byDroplet_id(id).get())!.droplet!;

  it('powers off: in-progress and locked, then completed and off', async () => {
    const id = await activeDroplet();
    const started = (await act(id, { type: 'power_off' }))?.action;
    expect(started).toMatchObject({
      type: 'power_off',
      status: 'in-progress',
      resourceId: id,
      resourceType: 'droplet',
    });
    expect(started?.completedAt ?? null).toBeNull();
    expect(started?.region?.slug).toBe('fra1');
    expect(await droplet(id)).toMatchObject({ status: 'active', locked: true });

    await t.advance(ACTION_MS + LAG_MS);
    expect(await droplet(id)).toMatchObject({ status: 'off', locked: false });
    const done = await t.dots.v2.droplets.byDroplet_id(id).actions.byAction_id(started!.id!).get();
    expect(done?.action?.status).toBe('completed');
    expect(done?.action?.completedAt).toBeInstanceOf(Date);

    const listed = await t.dots.v2.droplets.byDroplet_id(id).actions.get();
    expect(listed?.actions?.map((a) => a.type)).toEqual(['power_off', 'create']);
    const all = await t.dots.v2.actions.get();
    expect(all?.actions?.map((a) => a.id)).toContain(started!.id);
    expect((await t.dots.v2.actions.byAction_id(started!.id!).get())?.action?.status).toBe('completed');
  });

  it('shows the old status for a few seconds after a power action completed, while the droplet is already in the new state', async () => {
    const id = await activeDroplet();
    const off = (await act(id, { type: 'power_off' }))?.action;
    await t.advance(ACTION_MS);
    const completed = await t.dots.v2.actions.byAction_id(off!.id!).get();
    expect(completed?.action?.status).toBe('completed');
    // The action is done and the droplet is off, but its status still reads active…
    expect(await droplet(id)).toMatchObject({ status: 'active', locked: false });
    // …so a client that decides by the status and powers off again is told it is off already,
    expect(await failure(act(id, { type: 'power_off' }))).toMatchObject({
      responseStatusCode: 422,
      message: 'Droplet is already powered off.',
    });
    // and one that decides by the action's outcome can resize it at once.
    await act(id, { type: 'resize', size: 's-2vcpu-4gb' });
    await t.advance(LAG_MS);
    expect((await droplet(id)).status).toBe('off');
    await t.advance(RESIZE_MS - LAG_MS);

    // Powering on lags the same way: completed, serving, still listed off for a few seconds.
    await act(id, { type: 'power_on' });
    await t.advance(ACTION_MS);
    expect(await droplet(id)).toMatchObject({ status: 'off', sizeSlug: 's-2vcpu-4gb' });
    await t.advance(LAG_MS);
    expect((await droplet(id)).status).toBe('active');
    // A power action that changes nothing leaves nothing to catch up with.
    await act(id, { type: 'power_on' });
    await t.advance(ACTION_MS);
    expect((await droplet(id)).status).toBe('active');
  });

  it('allows one event at a time, the boot included', async () => {
    const answer = (await t.dots.v2.droplets.post({ ...base, name: 'booting' })) as {
      droplet: { id: number };
    };
    const id = answer.droplet.id;
    const whileBooting = await failure(act(id, { type: 'reboot' }));
    expect(whileBooting).toMatchObject({
      responseStatusCode: 422,
      message: 'Droplet already has a pending event.',
    });
    await t.advance(BOOT_MS);
    await act(id, { type: 'reboot' });
    const busy = await failure(act(id, { type: 'power_off' }));
    expect(busy.message).toBe('Droplet already has a pending event.');
    await t.advance(ACTION_MS);
    expect((await droplet(id)).status).toBe('active');
  });

  it('powers on a droplet that is already on: an action that completes and changes nothing', async () => {
    const id = await activeDroplet();
    const started = (await act(id, { type: 'power_on' }))?.action;
    expect(started).toMatchObject({ type: 'power_on', status: 'in-progress', resourceId: id });
    await t.advance(ACTION_MS);
    const done = await t.dots.v2.droplets.byDroplet_id(id).actions.byAction_id(started!.id!).get();
    expect(done?.action?.status).toBe('completed');
    expect(await droplet(id)).toMatchObject({ status: 'active', locked: false });
  });

  it('refuses to power off a droplet that is off, as Terraform’s provider expects', async () => {
    const id = await activeDroplet();
    await act(id, { type: 'shutdown' });
    await t.advance(ACTION_MS);
    expect(await failure(act(id, { type: 'power_off' }))).toMatchObject({
      responseStatusCode: 422,
      message: 'Droplet is already powered off.',
    });
    // A shutdown of a droplet that is off is not known to be refused: it completes, still off.
    await act(id, { type: 'shutdown' });
    await t.advance(ACTION_MS);
    expect((await droplet(id)).status).toBe('off');
    await act(id, { type: 'power_on' });
    await t.advance(ACTION_MS + LAG_MS);
    expect((await droplet(id)).status).toBe('active');
  });

  it('resizes only a powered-off droplet, and the disk only when asked', async () => {
    const id = await activeDroplet();
    const whileOn = await failure(act(id, { type: 'resize', size: 's-2vcpu-4gb' }));
    expect(whileOn.message).toBe('Droplet is currently on. Please power it off to run this event.');
    await act(id, { type: 'power_off' });
    await t.advance(ACTION_MS);
    // To the size it has: not known to be refused, so it runs and changes nothing.
    await act(id, { type: 'resize', size: 's-1vcpu-1gb' });
    await t.advance(RESIZE_MS);
    expect(await droplet(id)).toMatchObject({ sizeSlug: 's-1vcpu-1gb', disk: 25, status: 'off' });
    expect((await failure(act(id, { type: 'resize', size: 'huge' }))).responseStatusCode).toBe(422);

    await act(id, { type: 'resize', size: 's-2vcpu-4gb', disk: false });
    await t.advance(ACTION_MS);
    expect((await droplet(id)).sizeSlug).toBe('s-1vcpu-1gb');
    await t.advance(RESIZE_MS - ACTION_MS);
    expect(await droplet(id)).toMatchObject({
      sizeSlug: 's-2vcpu-4gb',
      memory: 4096,
      vcpus: 2,
      disk: 25,
      status: 'off',
    });

    await act(id, { type: 'resize', size: 's-4vcpu-8gb', disk: true });
    await t.advance(RESIZE_MS);
    expect(await droplet(id)).toMatchObject({ sizeSlug: 's-4vcpu-8gb', disk: 160 });
    const shrink = await failure(act(id, { type: 'resize', size: 's-2vcpu-4gb' }));
    expect(shrink.message).toBe("Size can not decrease size of Droplet's disk image");
  });

  it('renames and rebuilds when the action completes', async () => {
    const id = await activeDroplet('old-name');
    await act(id, { type: 'rename', name: 'new-name' });
    expect((await droplet(id)).name).toBe('old-name');
    await t.advance(ACTION_MS);
    expect((await droplet(id)).name).toBe('new-name');

    expect(await failure(act(id, { type: 'rename', name: 'no_underscores' }))).toMatchObject({
      responseStatusCode: 422,
    });
    // dots writes a slug for `image` unquoted (its restore serializer takes it for a number), so
    // rebuilding by slug goes through a raw request and dots rebuilds by image id.
    const unknown = await t.api('POST', `/v2/droplets/${id}/actions`, { type: 'rebuild', image: 'plan9' });
    expect(unknown.status).toBe(422);
    const bySlug = await t.api('POST', `/v2/droplets/${id}/actions`, {
      type: 'rebuild',
      image: 'ubuntu-22-04-x64',
    });
    expect(bySlug.status).toBe(201);
    await t.advance(ACTION_MS);
    expect((await droplet(id)).image?.slug).toBe('ubuntu-22-04-x64');
    const debian = IMAGES.find((image) => image.slug === 'debian-12-x64')!;
    await act(id, { type: 'rebuild', image: debian.id });
    await t.advance(ACTION_MS);
    expect((await droplet(id)).image?.slug).toBe('debian-12-x64');
  });

  it('enables IPv6 and backups, and records snapshots', async () => {
    const id = await activeDroplet();
    await act(id, { type: 'enable_ipv6' });
    await t.advance(ACTION_MS);
    await act(id, { type: 'enable_backups' });
    await t.advance(ACTION_MS);
    await act(id, { type: 'snapshot', name: 'before-upgrade' });
    await t.advance(ACTION_MS);
    const after = await droplet(id);
    expect(after.networks?.v6).toHaveLength(1);
    expect(after.features).toEqual(expect.arrayContaining(['ipv6', 'backups']));
    expect(after.nextBackupWindow).not.toBeNull();
    expect(after.snapshotIds).toHaveLength(1);
    expect((await failure(act(id, { type: 'teleport' }))).responseStatusCode).toBe(422);
  });

  it('accepts switching on what is on: enable_ipv6 and enable_backups again complete without change', async () => {
    const id = await activeDroplet('twice', { ipv6: true, backups: true });
    const before = await droplet(id);
    for (const type of ['enable_ipv6', 'enable_backups', 'change_backup_policy']) {
      const started = (await act(id, { type }))?.action;
      expect(started?.status, type).toBe('in-progress');
      await t.advance(ACTION_MS);
    }
    const after = await droplet(id);
    expect(after.networks?.v6).toEqual(before.networks?.v6);
    expect(after.features).toEqual(before.features);
    await act(id, { type: 'disable_backups' });
    await t.advance(ACTION_MS);
    await act(id, { type: 'disable_backups' });
    await t.advance(ACTION_MS);
    expect((await droplet(id)).features).not.toContain('backups');
  });

  it('runs bulk actions on every droplet with a tag', async () => {
    await t.dots.v2.droplets.post({ ...base, names: ['b1', 'b2'], tags: ['batch'] });
    const other = await activeDroplet('other');
    const answer = await t.dots.v2.droplets.actions.post({ type: 'power_off' } as never, {
      queryParameters: { tagName: 'batch' },
    });
    expect(answer?.actions).toHaveLength(2);
    expect(answer?.actions?.every((a) => a.type === 'power_off' && a.status === 'in-progress')).toBe(true);
    await t.advance(ACTION_MS + LAG_MS);
    const batch = await t.dots.v2.droplets.get({ queryParameters: { tagName: 'batch' } });
    expect(batch?.droplets?.map((d) => d.status)).toEqual(['off', 'off']);
    expect((await droplet(other)).status).toBe('active');

    // Droplets the action does not apply to (off already) are left out of the answer.
    const again = await t.dots.v2.droplets.actions.post({ type: 'power_off' } as never, {
      queryParameters: { tagName: 'batch' },
    });
    expect(again?.actions).toEqual([]);

    const rename = await t.api('POST', '/v2/droplets/actions?tag_name=batch', { type: 'rename', name: 'x' });
    expect(rename.status).toBe(422);
  });

  it('refuses a restore from an image that is no backup of the droplet, and a kernel change', async () => {
    const id = await activeDroplet();
    const debian = IMAGES.find((image) => image.slug === 'debian-12-x64')!;
    expect(await failure(act(id, { type: 'restore', image: debian.id }))).toMatchObject({
      responseStatusCode: 422,
      message: 'The image you specified is not a backup of this Droplet.',
    });
    expect((await failure(act(id, { type: 'change_kernel', kernel: 12389723 }))).responseStatusCode).toBe(
      422,
    );
    expect((await t.dots.v2.droplets.byDroplet_id(id).actions.get())?.actions?.map((a) => a.type)).toEqual([
      'create',
    ]);
  });

  it('answers 404 for unknown actions and droplets', async () => {
    const id = await activeDroplet();
    expect((await failure(t.dots.v2.actions.byAction_id(1).get())).responseStatusCode).toBe(404);
    expect(
      (await failure(t.dots.v2.droplets.byDroplet_id(id).actions.byAction_id(1).get())).responseStatusCode,
    ).toBe(404);
    expect((await failure(act(12345, { type: 'reboot' }))).responseStatusCode).toBe(404);
  });
});
