import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('fixtures', import.meta.url));

/** A throwaway directory holding `files` (path → text), optionally starting from a fixture scenario. */
export function tempProject(files: Record<string, string>, fixture?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'base2-config-'));
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A one-service app spec using the DOCR repository `shop`. */
export const APP_SPEC =
  'services:\n  - name: web\n    image: { registry_type: DOCR, repository: shop, tag: "1.0.0" }\n';

/** A manifest from text in a temporary directory, with an app spec beside it as app.yaml; returns its path. */
export function writeManifest(text: string, spec = APP_SPEC): string {
  return join(tempProject({ 'deployment.yml': text, 'app.yaml': spec }), 'deployment.yml');
}

/** Runs `run` and returns what it threw, failing when it throws nothing or something else. */
export function thrown<E extends Error>(type: new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
