import { randomBytes, randomUUID } from 'node:crypto';

/** Identifiers in DigitalOcean's shapes: integer ids for droplets and actions, UUIDs elsewhere. */
export class Ids {
  private counters = new Map<string, number>();

  /** The next integer id of a kind, starting from a realistic base. */
  next(kind: string, start = 100_000_000): number {
    const value = (this.counters.get(kind) ?? start) + 1;
    this.counters.set(kind, value);
    return value;
  }

  uuid(): string {
    return randomUUID();
  }

  hex(bytes: number): string {
    return randomBytes(bytes).toString('hex');
  }

  reset(): void {
    this.counters.clear();
  }
}
