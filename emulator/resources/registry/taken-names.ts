/**
 * Registry names other DigitalOcean customers hold. A registry name is global on DigitalOcean (it is
 * the path of every image: `registry.digitalocean.com/<name>/…`), so `validate-name` answers 409 and
 * a create is refused for a name anyone holds, not only the account's own.
 */
import { badRequest } from '../../core/http-error.js';

/**
 * Held by default: short generic words and this project's own name, which on the real DigitalOcean
 * someone almost certainly took long ago. `example` is the name DigitalOcean's own docs use.
 */
export const DEFAULT_TAKEN_REGISTRY_NAMES: readonly string[] = [
  'base2',
  'example',
  'registry',
  'docker',
  'test',
  'demo',
  'app',
  'web',
  'api',
  'my-registry',
];

/** The grammar of a registry name (`registry_create.name` in the spec). */
export const REGISTRY_NAME = /^[a-z0-9-]{1,63}$/;

export class TakenNames {
  private names: Set<string>;

  /** `initial` is what a reset returns to. */
  constructor(private readonly initial: readonly string[]) {
    this.names = new Set(initial);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  list(): string[] {
    return [...this.names].sort();
  }

  add(names: readonly string[]): void {
    for (const name of names) this.names.add(name);
  }

  replace(names: readonly string[]): void {
    this.names = new Set(names);
  }

  remove(name: string): boolean {
    return this.names.delete(name);
  }

  reset(): void {
    this.names = new Set(this.initial);
  }
}

/** The `names` of an admin request body, each a valid registry name; 400 otherwise. */
export function namesOf(body: unknown): string[] {
  const names = (body as { names?: unknown } | undefined)?.names;
  if (!Array.isArray(names)) throw badRequest('send {"names": ["name", …]}');
  for (const name of names) {
    if (typeof name !== 'string' || !REGISTRY_NAME.test(name))
      throw badRequest(
        `${JSON.stringify(name)} is not a registry name (1 to 63 lowercase letters, digits and dashes)`,
      );
  }
  return names as string[];
}
