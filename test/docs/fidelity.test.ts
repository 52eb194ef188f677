import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkRows,
  type FidelityWorld,
  isGuess,
  parseFidelity,
  projectWorld,
} from '../support/fidelity-table.js';
import { specPath } from '../support/openapi.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The guesses docs/fidelity.md may hold. It only goes down: lower it when a guess finds evidence
 * (or its behaviour goes), never raise it.
 */
const GUESS_CEILING = 30;

describe('docs/fidelity.md', () => {
  const rows = parseFidelity(readFileSync(join(root, 'docs/fidelity.md'), 'utf8'));

  it('every behaviour has evidence or a guess mark, the files that model it and a test that pins it', () => {
    const guesses = rows.filter(isGuess).length;
    process.stdout.write(
      `fidelity: ${rows.length} behaviours, ${rows.length - guesses} with public evidence, ${guesses} guesses\n`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(checkRows(rows, projectWorld(root, specPath(root)))).toEqual([]);
  });

  it('the number of guesses never rises', () => {
    expect(rows.filter(isGuess).length).toBeLessThanOrEqual(GUESS_CEILING);
  });
});

describe('the fidelity check', () => {
  const world: FidelityWorld = {
    exists: (path) => path === 'emulator/a.ts' || path === 'test/a.test.ts',
    read: () => "it('deletes later', …)",
    operationIds: new Set(['droplets_destroy']),
  };
  const table = (row: string) =>
    parseFidelity(
      `## Droplets\n| id | behaviour | evidence | emulator | pinned by |\n|---|---|---|---|---|\n${row}\n`,
    );

  it('accepts a row with evidence, an emulator file and a test that exists', () => {
    const rows = table(
      '| droplets.delete | delete answers 204 and the droplet goes later | spec:droplets_destroy | `emulator/a.ts` | `test/a.test.ts` › "deletes later" |',
    );
    expect(rows).toHaveLength(1);
    expect(checkRows(rows, world)).toEqual([]);
  });

  it('refuses a row whose test is missing, whose source is not cited, or whose spec operation does not exist', () => {
    expect(
      checkRows(
        table('| a.b | delete answers 204 later | spec:droplets_destroy | `emulator/a.ts` | none |'),
        world,
      ),
    ).toEqual([expect.stringContaining('no test pins it')]);
    expect(
      checkRows(
        table(
          '| a.b | delete answers 204 later | we think so | `emulator/a.ts` | `test/a.test.ts` › "deletes later" |',
        ),
        world,
      ),
    ).toEqual([expect.stringContaining('cites no source')]);
    expect(
      checkRows(
        table(
          '| a.b | delete answers 204 later | spec:droplets_gone | `emulator/a.ts` | `test/a.test.ts` › "deletes later" |',
        ),
        world,
      ),
    ).toEqual([expect.stringContaining('spec:droplets_gone is not an operation')]);
    expect(
      checkRows(
        table(
          '| a.b | delete answers 204 later | spec:droplets_destroy | `emulator/a.ts` | `test/a.test.ts` › "never named" |',
        ),
        world,
      ),
    ).toEqual([expect.stringContaining('has no test named "never named"')]);
  });

  it('counts a guess as a guess and asks it for its reasoning', () => {
    const rows = table(
      '| a.b | delete answers 204 later | **guess** | `emulator/a.ts` | `test/a.test.ts` › "deletes later" |',
    );
    expect(rows.filter(isGuess)).toHaveLength(1);
    expect(checkRows(rows, world)).toEqual([expect.stringContaining('a guess must say what it is based on')]);
  });
});
