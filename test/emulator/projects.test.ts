import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppsService } from '../../emulator/core/services.js';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { actionsModule } from '../../emulator/resources/actions.js';
import { domainsModule } from '../../emulator/resources/domains/index.js';
import { dropletsModule } from '../../emulator/resources/droplets/index.js';
import { projectsModule } from '../../emulator/resources/projects/index.js';
import { sshKeysModule } from '../../emulator/resources/ssh-keys.js';
import { tagsModule } from '../../emulator/resources/tags.js';
import { type DotsClient, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';

const APP_ID = '3f0c9b5e-2a41-4d6e-9d53-6d1a2c4b8e70';

/** Stands in for the apps module: one app exists. */
const appsFixture: EmulatorModule = {
  name: 'apps-fixture',
  register(core) {
    const apps: AppsService = { exists: (id) => id === APP_ID };
    core.services.set('apps', apps);
  },
};

async function failure(call: Promise<unknown>): Promise<{ status: number; message: string | undefined }> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

const spec = loadSpec();

describe('projects', () => {
  let t: TestEmulator;
  let dots: DotsClient;
  let conformance: ConformanceTracker | undefined;

  beforeAll(async () => {
    conformance = spec.validator ? new ConformanceTracker(spec.validator) : undefined;
    const modules = [
      accountModule,
      actionsModule,
      sshKeysModule,
      tagsModule,
      dropletsModule,
      domainsModule,
      appsFixture,
      projectsModule,
    ];
    t = await startTestEmulator({
      modules: conformance ? conformance.track(modules) : modules,
      onResponse: conformance?.record,
    });
    dots = t.dots;
  });
  afterAll(async () => {
    // The spec's URN pattern leaves out do:app:, which DigitalOcean does assign (a known spec quirk).
    const failures = conformance?.failures.filter((f) => !JSON.stringify(f.body).includes('do:app:'));
    expect(failures ?? []).toEqual([]);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const projects = () => dots.v2.projects;
  const project = (id: string) => dots.v2.projects.byProject_id(id);
  const create = async (name: string, extra: Record<string, unknown> = {}) =>
    (await projects().post({ name, purpose: 'Web Application', ...extra }))?.project;
  const droplet = async (name: string) => {
    const body = { name, size: 's-1vcpu-1gb', image: 'debian-12-x64', region: 'nyc3' };
    const created = (await dots.v2.droplets.post(body)) as
      | { droplet?: { id?: number | null } | null }
      | undefined;
    return created?.droplet?.id ?? 0;
  };

  it('starts with a default project', async () => {
    const first = (await projects().defaultEscaped.get())?.project;
    expect(first).toMatchObject({ name: 'first-project', isDefault: true, environment: 'Development' });
    const account = (await dots.v2.account.get())?.account;
    expect(first?.ownerUuid).toBe(account?.uuid);
    expect((await projects().get())?.projects?.map((p) => p.id)).toEqual([first?.id]);
  });

  it('creates, reads, updates and deletes a project', async () => {
    const created = await create('base2', { description: 'The build', environment: 'production' as never });
    expect(created).toMatchObject({
      name: 'base2',
      purpose: 'Web Application',
      environment: 'Production',
      isDefault: false,
    });
    const custom = await create('tools', { purpose: 'internal tooling' });
    expect(custom?.purpose).toBe('Other: internal tooling');

    const one = project(created?.id ?? '');
    expect((await one.patch({ description: 'Base2 on DigitalOcean' }))?.project).toMatchObject({
      name: 'base2',
      description: 'Base2 on DigitalOcean',
      environment: 'Production',
    });
    const replaced = await one.put({
      name: 'base2-prod',
      description: 'Production',
      purpose: 'Service or API',
      environment: 'Staging',
      isDefault: false,
    });
    expect(replaced?.project).toMatchObject({
      name: 'base2-prod',
      purpose: 'Service or API',
      environment: 'Staging',
    });
    expect((await one.get())?.project?.name).toBe('base2-prod');
    expect((await projects().get())?.meta?.total).toBe(3);

    await one.delete();
    expect((await failure(one.get())).status).toBe(404);
  });

  it('keeps names unique and validates what is sent', async () => {
    await create('base2');
    expect(await failure(create('base2'))).toEqual({
      status: 409,
      message: "a project named 'base2' already exists",
    });
    expect((await failure(projects().post({ name: 'no-purpose' }))).message).toBe('purpose is required');
    expect((await failure(create('env', { environment: 'qa' }))).message).toMatch(
      /environment must be one of/,
    );
    expect((await failure(create('x'.repeat(176)))).status).toBe(422);
    const id = (await create('other'))?.id ?? '';
    expect((await failure(project(id).patch({}))).status).toBe(422);
    expect((await failure(project(id).put({ name: 'other' }))).message).toMatch(
      /must be sent when replacing/,
    );
    expect((await failure(project(id).patch({ name: 'base2' }))).status).toBe(409);
  });

  it('moves the default to the project that claims it', async () => {
    const first = (await projects().defaultEscaped.get())?.project;
    const id = (await create('base2'))?.id ?? '';
    await project(id).patch({ isDefault: true });
    expect((await projects().defaultEscaped.get())?.project?.id).toBe(id);
    expect((await project(first?.id ?? '').get())?.project?.isDefault).toBe(false);
    // The default keeps being the default when told `is_default: false`: there is always one.
    await projects().defaultEscaped.patch({ isDefault: false });
    expect((await projects().defaultEscaped.get())?.project?.id).toBe(id);
  });

  it('assigns existing droplets, domains and apps, and answers not_found for missing ones', async () => {
    const id = (await create('base2'))?.id ?? '';
    const dropletId = await droplet('web-1');
    await dots.v2.domains.post({ name: 'example.com' });
    const urns = [`do:droplet:${dropletId}`, 'do:domain:example.com', `do:app:${APP_ID}`];
    const missing = [
      'do:droplet:424242',
      'do:domain:missing.example',
      'do:app:00000000-0000-4000-8000-000000000000',
    ];

    const answer = (await project(id).resources.post({ resources: [...urns, ...missing] }))?.resources;
    expect(answer?.map((r) => [r.urn, r.status])).toEqual([
      ...urns.map((urn) => [urn, 'assigned']),
      ...missing.map((urn) => [urn, 'not_found']),
    ]);
    expect(answer?.[0]?.links?.self).toBe(`${t.emu.apiUrl}/v2/droplets/${dropletId}`);
    expect(answer?.[1]?.assignedAt).toBeInstanceOf(Date);

    const listed = (await project(id).resources.get())?.resources;
    expect(listed?.map((r) => [r.urn, r.status])).toEqual(urns.map((urn) => [urn, 'ok']));
    const again = (await project(id).resources.post({ resources: [urns[0]!] }))?.resources;
    expect(again?.[0]?.status).toBe('already_assigned');
  });

  it('refuses URNs not in do:type:id form with 400', async () => {
    const id = (await create('base2'))?.id ?? '';
    for (const resources of [['droplet:1'], ['do:widget:1'], []]) {
      expect((await failure(project(id).resources.post({ resources }))).status).toBe(400);
    }
    expect((await failure(project(id).resources.post({ resources: ['do:droplet'] }))).message).toBe(
      'resource objects must have an urn in the following format: do:resource_type:resource_id',
    );
  });

  it('files unassigned droplets under the default project until they are assigned elsewhere', async () => {
    const dropletId = await droplet('web-1');
    const urn = `do:droplet:${dropletId}`;
    const inDefault = async () =>
      (await projects().defaultEscaped.resources.get())?.resources?.map((r) => r.urn);
    expect(await inDefault()).toEqual([urn]);
    const id = (await create('base2'))?.id ?? '';
    await project(id).resources.post({ resources: [urn] });
    expect(await inDefault()).toEqual([]);
    await projects().defaultEscaped.resources.post({ resources: [urn] });
    expect(await inDefault()).toEqual([urn]);
  });

  it('deletes a project only when it is empty, and never the default one', async () => {
    const id = (await create('base2'))?.id ?? '';
    await dots.v2.domains.post({ name: 'example.com' });
    const dropletId = await droplet('web-1');
    await project(id).resources.post({ resources: ['do:domain:example.com', `do:droplet:${dropletId}`] });
    expect(await failure(project(id).delete())).toEqual({
      status: 412,
      message: 'cannot delete a project with resources. move or remove the resources first',
    });

    // Destroyed resources leave their project by themselves.
    await dots.v2.domains.byDomain_name('example.com').delete();
    await dots.v2.droplets.byDroplet_id(dropletId).delete();
    // A droplet is deleted asynchronously: it stays listed (and in its project) until it is gone.
    await t.untilDropletsGone({ ids: [dropletId] });
    expect((await project(id).resources.get())?.meta?.total).toBe(0);
    await project(id).delete();

    const first = (await projects().defaultEscaped.get())?.project?.id ?? '';
    expect((await failure(project(first).delete())).status).toBe(412);
  });

  it('paginates projects and resources', async () => {
    for (const name of ['p1', 'p2', 'p3']) await create(name);
    const page = await projects().get({ queryParameters: { perPage: 2, page: 2 } });
    expect(page?.projects?.map((p) => p.name)).toEqual(['p2', 'p3']);
    expect(page?.meta?.total).toBe(4);
  });
});
