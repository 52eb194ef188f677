import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountModule } from '../../emulator/resources/account.js';
import { actionsModule } from '../../emulator/resources/actions.js';
import { dropletsModule } from '../../emulator/resources/droplets/index.js';
import { firewallsModule } from '../../emulator/resources/firewalls/index.js';
import { sshKeysModule } from '../../emulator/resources/ssh-keys.js';
import { tagsModule } from '../../emulator/resources/tags.js';
import { REALISTIC_TIMING } from '../../emulator/timing.js';
import { type DotsClient, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { ConformanceTracker, loadSpec } from '../support/openapi.js';

interface DotsError {
  status: number;
  message: string | undefined;
}

/** The error a dots call rejects with (dots throws plain objects carrying the status and body). */
async function failure(call: Promise<unknown>): Promise<DotsError> {
  try {
    await call;
  } catch (error) {
    const e = error as { responseStatusCode?: number; messageEscaped?: string };
    return { status: e.responseStatusCode ?? 0, message: e.messageEscaped };
  }
  throw new Error('expected the call to fail');
}

/**
 * dots wired as lib/do wires it: the installed Kiota cannot read arrays of strings or numbers
 * (`droplet_ids`, `tags`, `addresses`) without the lenient parse node from lib/do/parse-node.ts.
 */

const APPLY_MS = 6_000_000;

const SSH = { protocol: 'tcp', ports: '22', sources: { addresses: ['0.0.0.0/0', '::/0'] } } as const;
const ALL_OUT = [
  { protocol: 'tcp', ports: 'all', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
  { protocol: 'icmp', destinations: { addresses: ['0.0.0.0/0'] } },
] as const;

const spec = loadSpec();

describe('firewalls', () => {
  let t: TestEmulator;
  let dots: DotsClient;
  let conformance: ConformanceTracker | undefined;
  let web1: number;
  let web2: number;
  let worker: number;

  beforeAll(async () => {
    conformance = spec.validator ? new ConformanceTracker(spec.validator) : undefined;
    const modules = [
      accountModule,
      actionsModule,
      sshKeysModule,
      tagsModule,
      dropletsModule,
      firewallsModule,
    ];
    t = await startTestEmulator({
      modules: conformance ? conformance.track(modules) : modules,
      onResponse: conformance?.record,
      // An apply window long enough (30 s real at the test time scale) that a firewall stays
      // `waiting` until a test moves the clock on itself.
      timing: { actionMs: APPLY_MS },
    });
    dots = t.dots;
  });
  afterAll(async () => {
    expect(conformance?.failures ?? []).toEqual([]);
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
    const droplet = async (name: string, tags: string[]) => {
      const body = { name, size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', region: 'nyc3', tags };
      const created = (await dots.v2.droplets.post(body)) as
        | { droplet?: { id?: number | null } | null }
        | undefined;
      return created?.droplet?.id ?? 0;
    };
    web1 = await droplet('web-1', ['web']);
    web2 = await droplet('web-2', ['web']);
    worker = await droplet('worker-1', []);
  });

  const firewalls = () => dots.v2.firewalls;
  const firewall = (id: string) => dots.v2.firewalls.byFirewall_id(id);
  const advance = (ms: number) => t.admin('POST', '/_emulator/clock', { advance_ms: ms });
  const create = async (name = 'web-fw', extra: Record<string, unknown> = {}) =>
    (await firewalls().post({ name, inboundRules: [SSH], outboundRules: [...ALL_OUT], ...extra } as never))
      ?.firewall;
  const raw = async (id: string) => {
    const response = await t.fetch(`${t.emu.apiUrl}/v2/firewalls/${id}`, {
      headers: { authorization: `Bearer ${t.emu.token}` },
    });
    return ((await response.json()) as { firewall: Record<string, unknown> }).firewall;
  };

  it('creates a firewall that waits while it is applied to its droplets, then succeeds', async () => {
    const created = await create('web-fw', { dropletIds: [web1] });
    expect(created).toMatchObject({ name: 'web-fw', status: 'waiting', dropletIds: [web1], tags: [] });
    expect(created?.pendingChanges).toEqual([
      expect.objectContaining({ dropletId: web1, removing: false, status: 'waiting' }),
    ]);

    const stored = await raw(created?.id ?? '');
    expect(stored.inbound_rules).toEqual([
      { protocol: 'tcp', ports: '22', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
    ]);
    // "all" ports and ICMP come back as "0", the way DigitalOcean answers them.
    expect(stored.outbound_rules).toEqual([
      { protocol: 'tcp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
      { protocol: 'icmp', ports: '0', destinations: { addresses: ['0.0.0.0/0'] } },
    ]);

    await advance(APPLY_MS);
    const applied = (await firewall(created?.id ?? '').get())?.firewall;
    expect(applied).toMatchObject({ status: 'succeeded', pendingChanges: [] });
    expect((await firewalls().get())?.firewalls?.map((f) => f.name)).toEqual(['web-fw']);

    await firewall(created?.id ?? '').delete();
    expect((await failure(firewall(created?.id ?? '').get())).status).toBe(404);
  });

  it('replaces the whole firewall on PUT, resetting what the body leaves out', async () => {
    const created = await create('web-fw', { dropletIds: [web1], tags: ['web'] });
    await advance(APPLY_MS);
    const put = await firewall(created?.id ?? '').put({ name: 'web-fw-2', inboundRules: [SSH] } as never);
    expect(put?.firewall).toMatchObject({ name: 'web-fw-2', status: 'waiting', dropletIds: [], tags: [] });
    expect(put?.firewall?.outboundRules).toEqual([]);
    const removals = put?.firewall?.pendingChanges?.map((p) => [p.dropletId, p.removing]);
    expect(removals).toEqual(
      expect.arrayContaining([
        [web1, true],
        [web2, true],
      ]),
    );
  });

  it('validates names, protocols, ports, addresses and limits with 400s', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ inboundRules: [SSH] }, /^missing name$/],
      [{ name: '-bad', inboundRules: [SSH] }, /name must begin/],
      [{ name: 'no-rules' }, /at least one inbound or outbound rule/],
      [
        { name: 'proto', inboundRules: [{ ...SSH, protocol: 'gre' }] },
        /protocol must be one of tcp, udp, icmp/,
      ],
      [{ name: 'ports', inboundRules: [{ ...SSH, ports: '70000' }] }, /valid range for ports/],
      [{ name: 'range', inboundRules: [{ ...SSH, ports: '9000-8000' }] }, /valid range for ports/],
      [
        { name: 'noports', inboundRules: [{ protocol: 'udp', sources: SSH.sources }] },
        /valid range for ports/,
      ],
      [
        { name: 'addr', inboundRules: [{ ...SSH, sources: { addresses: ['10.0.0.0/33'] } }] },
        /invalid address/,
      ],
      [
        { name: 'nosrc', inboundRules: [{ protocol: 'tcp', ports: '80', sources: {} }] },
        /at least one of sources/,
      ],
      [
        { name: 'many', inboundRules: [SSH], dropletIds: Array.from({ length: 11 }, (_, i) => i + 1) },
        /at most 10/,
      ],
      [{ name: 'tags', inboundRules: [SSH], tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, /at most 5 tags/],
      [{ name: 'rules', inboundRules: Array.from({ length: 51 }, () => SSH) }, /at most 50/],
    ];
    for (const [body, message] of cases) {
      const error = await failure(firewalls().post(body as never));
      expect({ body, ...error }).toEqual({ body, status: 400, message: expect.stringMatching(message) });
    }
  });

  it('refuses a duplicate name with 409 and unknown droplets with 404', async () => {
    await create('web-fw');
    expect(await failure(create('web-fw'))).toEqual({ status: 409, message: 'duplicate name' });
    expect((await failure(create('other', { dropletIds: [999_999] }))).status).toBe(404);
  });

  it('adds and removes rules, matching "all" against the stored "0"', async () => {
    const id = (await create())?.id ?? '';
    const http = {
      protocol: 'tcp',
      ports: '80-443',
      sources: { tags: ['web'], addresses: ['192.0.2.0/24'] },
    } as const;
    await firewall(id).rules.post({ inboundRules: [http] } as never);
    const added = (await firewall(id).get())?.firewall?.inboundRules;
    expect(added?.map((r) => r.ports)).toEqual(['22', '80-443']);

    await firewall(id).rules.delete({
      inboundRules: [{ ...http, sources: { addresses: ['192.0.2.0/24'], tags: ['web'] } }],
      outboundRules: [{ protocol: 'tcp', ports: 'all', destinations: { addresses: ['::/0', '0.0.0.0/0'] } }],
    } as never);
    const after = (await firewall(id).get())?.firewall;
    expect(after?.inboundRules?.map((r) => r.ports)).toEqual(['22']);
    expect(after?.outboundRules?.map((r) => r.protocol)).toEqual(['icmp']);
    expect((await failure(firewall(id).rules.post({} as never))).status).toBe(400);
  });

  it('attaches and detaches droplets and tags, listing the droplets it touches as pending', async () => {
    const id = (await create())?.id ?? '';
    await advance(APPLY_MS);
    await firewall(id).droplets.post({ dropletIds: [worker] });
    let fw = (await firewall(id).get())?.firewall;
    expect(fw?.dropletIds).toEqual([worker]);
    expect(fw?.pendingChanges?.map((p) => [p.dropletId, p.removing])).toEqual([[worker, false]]);

    await firewall(id).tags.post({ tags: ['web', 'edge'] });
    fw = (await firewall(id).get())?.firewall;
    expect(fw?.tags).toEqual(['web', 'edge']);
    expect(fw?.pendingChanges?.map((p) => p.dropletId).sort()).toEqual([worker, web1, web2].sort());
    // Tags a firewall uses exist afterwards, as if created through /v2/tags.
    expect((await dots.v2.tags.byTag_id('edge').get())?.tag?.name).toBe('edge');

    await advance(APPLY_MS);
    await firewall(id).droplets.delete({ dropletIds: [worker] });
    await firewall(id).tags.delete({ tags: ['web'] });
    fw = (await firewall(id).get())?.firewall;
    expect(fw).toMatchObject({ dropletIds: [], tags: ['edge'], status: 'waiting' });
    expect(fw?.pendingChanges?.map((p) => [p.dropletId, p.removing]).sort()).toEqual(
      [
        [worker, true],
        [web1, true],
        [web2, true],
      ].sort(),
    );
    expect((await failure(firewall(id).droplets.post({ dropletIds: [424242] }))).status).toBe(404);
    expect(
      (await failure(firewall('0b0f1c52-0000-4000-8000-000000000000').tags.post({ tags: ['x'] }))).status,
    ).toBe(404);
  });

  it("lists a droplet's firewalls: those naming it and those naming one of its tags", async () => {
    await create('by-id', { dropletIds: [worker] });
    await create('by-tag', { tags: ['web'] });
    const names = async (id: number) =>
      (await dots.v2.droplets.byDroplet_id(id).firewalls.get())?.firewalls?.map((f) => f.name);
    expect(await names(worker)).toEqual(['by-id']);
    expect(await names(web1)).toEqual(['by-tag']);
    expect((await failure(dots.v2.droplets.byDroplet_id(424242).firewalls.get())).status).toBe(404);
  });

  it('drops destroyed droplets from droplet_ids', async () => {
    const id = (await create('web-fw', { dropletIds: [web1, worker] }))?.id ?? '';
    await dots.v2.droplets.byDroplet_id(worker).delete();
    await t.admin('POST', '/_emulator/clock', { advance_ms: REALISTIC_TIMING.dropletDeleteMs });
    expect((await firewall(id).get())?.firewall?.dropletIds).toEqual([web1]);
  });

  it('paginates the firewall list', async () => {
    for (const name of ['fw-a', 'fw-b', 'fw-c']) await create(name);
    const page = await firewalls().get({ queryParameters: { perPage: 2, page: 2 } });
    expect(page?.firewalls?.map((f) => f.name)).toEqual(['fw-c']);
    expect(page?.meta?.total).toBe(3);
  });
});
