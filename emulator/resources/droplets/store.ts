import { unprocessable } from '../../core/http-error.js';
import { service } from '../../core/services.js';
import type { EmuCore } from '../../core/types.js';
import type { DropletHosts } from '../../droplet-host/hosts.js';
import type { HostView } from '../../droplet-host/types.js';
import type { ActionJson, ActionsService } from '../actions.js';
import type { TagRegistry } from '../tags.js';
import { ipv6Address, PrivateAddresses } from './addresses.js';
import { regionJson } from './catalog.js';
import type { CreateRequest } from './create-request.js';
import { machineFacts } from './machine.js';
import { type DropletRecord, type DropletStatus, dropletJson, dropletStatus } from './model.js';

/** Actions during which the machine is down even though the droplet stays `active`. */
const INTERRUPTING = new Set(['reboot', 'power_cycle', 'rebuild', 'restore']);

/** The droplets of the account, with what is derived from the clock and the action store. */
export class DropletStore {
  private readonly droplets = new Map<number, DropletRecord>();
  private readonly addresses: PrivateAddresses;

  constructor(
    private readonly core: EmuCore,
    readonly hosts: DropletHosts,
  ) {
    this.addresses = new PrivateAddresses(() => core.ids.uuid());
  }

  actions(): ActionsService {
    const actions = service<ActionsService>(this.core.services, 'actions');
    if (!actions) throw new Error('the droplets module needs the actions module');
    return actions;
  }

  /** A droplet as of now: pending action side effects are applied first, deletions that finished are gone. */
  get(id: number): DropletRecord | undefined {
    this.actions().settle();
    this.purge();
    return this.droplets.get(id);
  }

  list(): DropletRecord[] {
    this.actions().settle();
    this.purge();
    return [...this.droplets.values()].sort((a, b) => a.id - b.id);
  }

  /** True while the droplet exists (listed, if being deleted); side effects of late actions check it first. */
  has(id: number): boolean {
    this.purge();
    return this.droplets.has(id);
  }

  /** Deleted, and still listed until DigitalOcean has finished: the machine no longer runs. */
  isDeleting(d: DropletRecord): boolean {
    return d.deletedAt !== undefined;
  }

  /** The droplets that count toward the account's droplet limit. */
  countTowardLimit(): number {
    return this.list().filter((d) => !this.isDeleting(d)).length;
  }

  status(d: DropletRecord): DropletStatus {
    return dropletStatus(d, this.core.clock.now());
  }

  running(d: DropletRecord): ActionJson[] {
    return this.actions()
      .listFor('droplet', d.id)
      .filter((a) => a.status === 'in-progress');
  }

  json(d: DropletRecord) {
    const locked = this.running(d).some((a) => a.type !== 'create');
    return dropletJson(d, { now: this.core.clock.now(), iso: (at) => this.core.clock.iso(at), locked });
  }

  hostView(d: DropletRecord): HostView {
    const serving = this.status(d) === 'active' && !this.running(d).some((a) => INTERRUPTING.has(a.type));
    return {
      id: d.id,
      name: d.name,
      serving,
      authorizedKeys: d.authorizedKeys,
      createdAt: d.createdAt,
      ...machineFacts(this.core, d, serving),
    };
  }

  /** Creates one droplet per name; each boots for `dropletBootMs` under a `create` action. */
  async create(request: CreateRequest): Promise<{ droplets: DropletRecord[]; actions: ActionJson[] }> {
    const droplets: DropletRecord[] = [];
    const actions: ActionJson[] = [];
    const tags = service<TagRegistry>(this.core.services, 'tags');
    // The whole request or nothing, with DigitalOcean's words (docs/fidelity.md, account.droplet-limit).
    if (this.countTowardLimit() + request.names.length > this.core.limits.droplets) {
      throw unprocessable('creating this/these droplet(s) will exceed your droplet limit');
    }
    // Machines first, so a failure leaves no half-made droplet behind.
    const ids = request.names.map(() => this.core.ids.next('droplet', 480_000_000));
    const publicIpv4s: string[] = [];
    try {
      for (const id of ids) publicIpv4s.push(await this.hosts.add(id));
    } catch (error) {
      await Promise.all(ids.slice(0, publicIpv4s.length).map((id) => this.hosts.remove(id)));
      throw error;
    }
    for (const [i, name] of request.names.entries()) {
      const id = ids[i]!;
      const publicIpv4 = publicIpv4s[i]!;
      const now = this.core.clock.now();
      const record: DropletRecord = {
        id,
        name,
        region: request.region,
        size: request.size,
        diskGb: request.size.disk,
        image: request.image,
        createdAt: now,
        activeAt: now + this.core.timing.dropletBootMs,
        power: 'on',
        tags: [...request.tags],
        userData: request.userData,
        vpcUuid: request.vpcUuid ?? this.addresses.defaultVpc(request.region),
        monitoring: request.monitoring,
        backups: request.backups,
        ipv6: request.ipv6,
        authorizedKeys: request.sshKeys.map((k) => k.public_key),
        snapshotIds: [],
        publicIpv4,
        privateIpv4: this.addresses.ipv4(request.region),
        ipv6Address: request.ipv6 ? ipv6Address(id) : undefined,
      };
      this.droplets.set(id, record);
      for (const tag of record.tags) tags?.tagged(tag, 'droplet', id);
      droplets.push(record);
      actions.push(
        this.actions().start({
          type: 'create',
          resourceId: id,
          resourceType: 'droplet',
          durationMs: this.core.timing.dropletBootMs,
          region: regionJson(record.region),
        }),
      );
    }
    return { droplets, actions };
  }

  /**
   * DELETE: the machine stops at once (its sessions end, it no longer answers), while the API keeps
   * listing the droplet with its status for `dropletDeleteMs`. Deleting it again changes nothing.
   */
  async destroy(id: number): Promise<void> {
    const d = this.droplets.get(id);
    if (!d || this.isDeleting(d)) return;
    d.deletedAt = this.core.clock.now();
    await this.hosts.disconnect(id);
  }

  /** Forgets the droplets whose deletion has finished; their addresses and disks go then. */
  private purge(): void {
    const now = this.core.clock.now();
    for (const d of this.droplets.values()) {
      if (d.deletedAt === undefined || now < d.deletedAt + this.core.timing.dropletDeleteMs) continue;
      this.droplets.delete(d.id);
      // Nothing can reach the machine any more (the hosts' directory leaves deleted droplets out).
      void this.hosts.remove(d.id).catch(() => undefined);
    }
  }

  tag(id: number, tag: string): void {
    const d = this.droplets.get(id);
    if (d && !d.tags.includes(tag)) d.tags.push(tag);
  }

  untag(id: number, tag: string): void {
    const d = this.droplets.get(id);
    if (d) d.tags = d.tags.filter((t) => t !== tag);
  }

  enableIpv6(d: DropletRecord): void {
    d.ipv6 = true;
    d.ipv6Address ??= ipv6Address(d.id);
  }

  reset(): void {
    this.droplets.clear();
    this.addresses.reset();
    this.hosts.reset();
  }
}
