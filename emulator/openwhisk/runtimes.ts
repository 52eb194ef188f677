/**
 * The runtimes a namespace's API host offers, as OpenWhisk's runtime manifest: families of kinds,
 * one of them the family's default (what `<family>:default` means). DigitalOcean's functions
 * deployer reads this manifest from `GET <api_host>/api/v1` (`runtimes`) to check a project's
 * `runtime:` values, and bootstrap reads it to refuse a runtime the platform does not offer. Only
 * the nodejs kinds run in the emulator.
 */

export interface RuntimeEntry {
  kind: string;
  default: boolean;
  deprecated: boolean;
}

/**
 * DigitalOcean's families and versions (Node.js 14, 18, 22 and 24; Go, PHP, Python); the defaults
 * are those of the deployer's built-in table, the end-of-life Node.js 14 and 18 are deprecated.
 */
export const RUNTIMES: Readonly<Record<string, readonly RuntimeEntry[]>> = {
  go: [
    { kind: 'go:1.17', default: true, deprecated: false },
    { kind: 'go:1.20', default: false, deprecated: false },
  ],
  nodejs: [
    { kind: 'nodejs:14', default: true, deprecated: true },
    { kind: 'nodejs:18', default: false, deprecated: true },
    { kind: 'nodejs:22', default: false, deprecated: false },
    { kind: 'nodejs:24', default: false, deprecated: false },
  ],
  php: [
    { kind: 'php:8.0', default: true, deprecated: false },
    { kind: 'php:8.2', default: false, deprecated: false },
  ],
  python: [
    { kind: 'python:3.9', default: true, deprecated: false },
    { kind: 'python:3.11', default: false, deprecated: false },
    { kind: 'python:3.12', default: false, deprecated: false },
    { kind: 'python:3.13', default: false, deprecated: false },
  ],
};

/** Every kind an action may be created with: each version, and `<family>:default`. */
export const RUNTIME_KINDS: readonly string[] = Object.entries(RUNTIMES).flatMap(([family, entries]) => [
  ...entries.map((entry) => entry.kind),
  `${family}:default`,
]);

/** The manifest as the API host answers it (OpenWhisk adds image and attachment details we leave out). */
export function runtimesJson(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(RUNTIMES).map(([family, entries]) => [
      family,
      entries.map((entry) => ({ ...entry, attached: false, requireMain: false })),
    ]),
  );
}
