/**
 * Bad input for every operation: each field of each operation's input gets the hostile corpus
 * (traversal, shell metacharacters, header injection, unicode, 1 MB strings, wrong types), and the
 * environment gets its own. Each is refused before any API call, naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../lib/ops/index.js';
import { spawnInvoke } from './child.js';
import { hostileValues, NOT_AN_INPUT } from './corpus.js';
import { envCases } from './env-corpus.js';
import { type Harness, startHarness } from './harness.js';
import { ENTRIES, operationOf, schemaFields } from './operations.js';
import { expectRefused } from './refusal.js';
import { Tally } from './tally.js';

const tally = new Tally(import.meta.filename);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
});
afterAll(async () => {
  await h?.stop();
  tally.publish();
});

describe('the operations table', () => {
  it('has a row for every registered operation, typing every field of its input', () => {
    expect(ENTRIES.map((e) => e.name).sort()).toEqual(Object.keys(operations).sort());
    for (const entry of ENTRIES) {
      expect(Object.keys(entry.fields).sort(), entry.name).toEqual(schemaFields(operationOf(entry)).sort());
    }
  });
});

describe('hostile operation input is refused before any API call, naming the field', () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: every field, every hostile value`, async () => {
      const operation = operationOf(entry);
      for (const [field, kind] of Object.entries(entry.fields)) {
        for (const hostile of hostileValues(kind)) {
          await tally.check('bad_input', async () => {
            const attempt = await h.run(operation, { ...entry.valid, [field]: hostile.value });
            await expectRefused(h, attempt, { field, value: hostile.value });
          });
        }
      }
      for (const hostile of NOT_AN_INPUT) {
        await tally.check('bad_input', async () => {
          await expectRefused(h, await h.run(operation, hostile.value), {
            field: 'input',
            value: hostile.value,
          });
        });
      }
    });
  }
});

describe('a malformed or hostile environment is refused before any API call, naming the variable', () => {
  it('every variable the tool reads', async () => {
    const info = operationOf(ENTRIES.find((e) => e.name === 'info')!);
    await tally.corpus(
      'bad_input',
      envCases(h.t.emu.token),
      (c) => `${c.variable}: ${c.label}`,
      async (c) => {
        const attempt = await h.run(info, { scope: 'deployment' }, { env: c.env });
        const manifest = c.variable === 'BASE2_MANIFEST';
        await expectRefused(h, attempt, {
          field: c.variable,
          value: c.env[c.variable],
          ...(manifest ? { alsoNamedBy: String(c.env[c.variable]).split('/').at(-1) } : {}),
        });
      },
    );
  });
});

describe('through the CLI: exit code 2, the field named in the JSON error, no API call', () => {
  it('hostile flags and a hostile manifest path', async () => {
    const cases: { args: string[]; env?: Record<string, string>; field: string }[] = [
      { args: ['deploy', '--env', '../../etc/passwd'], field: 'env' },
      { args: ['exec', '--target', '$(rm -rf /)', '--command', 'uptime'], field: 'target' },
      { args: ['teardown', '--env', 'staging\r\nX-Injected: 1'], field: 'env' },
      { args: ['deploy', '--env', 'staging', '--lock-wait', '10; rm -rf /'], field: 'lock_wait' },
      {
        args: ['edit', '--env', 'staging', '--droplet-count', '3', '--resume', '$(reboot)'],
        field: 'resume',
      },
      { args: ['info'], env: { BASE2_MANIFEST: '../../../../../../etc/passwd' }, field: 'manifest' },
      // A repeated flag would otherwise deploy the last environment named.
      { args: ['deploy', '--env', 'staging', '--env', 'production'], field: 'env' },
      { args: ['teardown', '--env', 'staging', '--dry-run', '--dry-run=false'], field: 'dry_run' },
    ];
    await tally.corpus(
      'bad_input',
      cases,
      (c) => c.args.join(' '),
      async (c) => {
        const child = spawnInvoke(c.args, h.env({ DEPLOY_ENV: 'staging', ...c.env }));
        expect(await child.exited, child.output()).toBe(2);
        const body = JSON.parse(child.stdout()) as { error: { kind: string; problems?: { path: string }[] } };
        expect(['input', 'config']).toContain(body.error.kind);
        expect(body.error.problems?.map((p) => p.path)).toContain(c.field);
        expect(await h.requests()).toEqual([]);
      },
    );
  });
});
