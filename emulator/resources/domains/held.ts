/**
 * Domains other DigitalOcean customers hold. A domain (a DNS zone) can be in one account only,
 * across DigitalOcean, so adding one held elsewhere is refused as if it existed; this account
 * cannot read it (404). None are held unless configured: `startEmulator({ heldDomains })`,
 * `npm run emulator -- --held-domain NAME`, or `/_emulator/domains/held` at run time.
 */
import { badRequest, notFound } from '../../core/http-error.js';
import type { EmuCore, EmuRequest } from '../../core/types.js';
import { isDomainName } from './names.js';

/** Set as `services.set('held-domains', …)`, so startEmulator can apply its option. */
export interface HeldDomainsService {
  /** The names held at start, and again after a reset. */
  configure(names: readonly string[]): void;
}

export class HeldDomains implements HeldDomainsService {
  private configured: string[] = [];
  private readonly names = new Set<string>();

  configure(names: readonly string[]): void {
    this.configured = names.map(normalize);
    this.reset();
  }

  isHeld(name: string): boolean {
    return this.names.has(normalize(name));
  }

  list(): string[] {
    return [...this.names].sort();
  }

  hold(name: string): void {
    this.names.add(normalize(name));
  }

  release(name: string): boolean {
    return this.names.delete(normalize(name));
  }

  /** A reset empties the account, not the rest of DigitalOcean: the configured names stay held. */
  reset(): void {
    this.names.clear();
    for (const name of this.configured) this.names.add(name);
  }
}

export function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * GET, POST (`{"name"}`) and DELETE `/_emulator/domains/held`. A name this account holds cannot be
 * held elsewhere too (400): delete it from the account first.
 */
export function registerHeldRoutes(core: EmuCore, held: HeldDomains, ownsZone: (name: string) => boolean) {
  const body = () => ({ domains: held.list() });
  core.route('GET', '/_emulator/domains/held', () => ({ status: 200, body: body() }));
  core.route('POST', '/_emulator/domains/held', (req: EmuRequest) => {
    const raw = (req.body as { name?: unknown } | null)?.name;
    const name = typeof raw === 'string' ? normalize(raw) : '';
    if (!isDomainName(name)) throw badRequest('name must be a domain name such as example.org');
    if (ownsZone(name)) throw badRequest(`${name} is in this account; delete it there first`);
    held.hold(name);
    return { status: 201, body: body() };
  });
  core.route('DELETE', '/_emulator/domains/held/:name', (req: EmuRequest) => {
    if (!held.release(req.params.name ?? '')) throw notFound();
    return { status: 204 };
  });
}
