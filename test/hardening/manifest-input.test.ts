/**
 * Bad manifests: hostile values at every kind of field, and hostile whole files (alias bombs, 1.5 MB,
 * deep nesting, binary). Each is refused before any API call, naming the field or the file.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { deployOperation } from '../../lib/ops/deploy/index.js';
import { ROOT } from '../support/op-context.js';
import { type Harness, MANIFEST, startHarness } from './harness.js';
import { MANIFEST_CASES, type ManifestCase } from './manifest-corpus.js';
import { expectRefused } from './refusal.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  dir = mkdtempSync(join(tmpdir(), 'base2-hardening-manifests-'));
  copyFileSync(join(ROOT, '.do', 'app.yaml'), join(dir, 'app.yaml'));
});
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
  tally.publish();
});

/** Path segments: `environments/<name>` keeps an environment name with dots in it whole. */
function segments(path: string): string[] {
  if (path.startsWith('environments/')) return ['environments', path.slice('environments/'.length)];
  return path.split('.');
}

/** The fixture with its app spec beside it, and the case's value set at its path. */
function manifestText(c: ManifestCase): string {
  if (c.text !== undefined) return c.text;
  const doc = parse(readFileSync(join(ROOT, MANIFEST), 'utf8')) as Record<string, unknown>;
  (doc.app as Record<string, unknown>).spec = 'app.yaml';
  const keys = segments(c.path!);
  let node = doc as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = c.value;
  // No folding: a `${VAR:-default}` reference must stay on one line.
  return stringify(doc, { lineWidth: 0 });
}

describe('a malformed or hostile manifest is refused before any API call, naming the field', () => {
  it('every case of the corpus', async () => {
    const cases = [...MANIFEST_CASES.entries()];
    await tally.corpus(
      'bad_input',
      cases,
      ([, c]) => `${c.path ?? 'file'}: ${c.label}`,
      async ([index, c]) => {
        const file = join(dir, `case-${index}.yml`);
        writeFileSync(file, manifestText(c));
        await h.clearRequests();
        const attempt = await h.run(
          deployOperation,
          { env: 'staging', dry_run: true },
          { env: { BASE2_MANIFEST: file, ...c.env } },
        );
        // Problems inside an environment's override are reported under its own path.
        const field = c.path?.replace(/^environments\.staging\./, '') ?? `case-${index}.yml`;
        await expectRefused(h, attempt, {
          field,
          value: c.value,
          alsoNamedBy: c.named ?? (c.path === undefined ? `case-${index}.yml` : field),
        });
      },
    );
  });
});
