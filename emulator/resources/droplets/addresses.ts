/**
 * Private (VPC) and IPv6 addresses. The public IPv4 is the loopback address the droplet's host
 * listens on (see droplet-host/hosts.ts); these others are only shown, never bound.
 */
export class PrivateAddresses {
  private next = new Map<string, number>();
  private vpcs = new Map<string, string>();

  constructor(private readonly uuid: () => string) {}

  /** The region's default VPC, 10.x.0.0/20 with x from the region, as DigitalOcean lays them out. */
  ipv4(region: string): string {
    const n = this.next.get(region) ?? 0;
    this.next.set(region, n + 1);
    const offset = 2 + n;
    return `10.${secondOctet(region)}.${Math.floor(offset / 256) % 16}.${offset % 256}`;
  }

  defaultVpc(region: string): string {
    let id = this.vpcs.get(region);
    if (!id) {
      id = this.uuid();
      this.vpcs.set(region, id);
    }
    return id;
  }

  reset(): void {
    this.next.clear();
  }
}

export function ipv6Address(dropletId: number): string {
  return `2604:a880:800:14::${(dropletId % 0x10000).toString(16)}:1000`;
}

function secondOctet(region: string): number {
  let hash = 0;
  for (const c of region) hash = (hash * 31 + c.charCodeAt(0)) % 128;
  return 100 + hash;
}
