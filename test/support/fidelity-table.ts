/**
 * Reads docs/fidelity.md: one table row per DigitalOcean behaviour the tool relies on or the
 * emulator models, with its public evidence (or a guess mark), the emulator files that model it
 * and the tests that pin it. `checkRows` is pure so its own test can plant bad rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FidelityRow {
  id: string;
  section: string;
  behaviour: string;
  evidence: string;
  emulator: string;
  pinnedBy: string;
  line: number;
}

export interface PinnedTest {
  file: string;
  name: string;
}

/** What a check needs from the world: whether a file exists, its text, the spec's operation ids. */
export interface FidelityWorld {
  exists(path: string): boolean;
  read(path: string): string;
  /** Undefined when the spec is not at hand (spec citations then go unchecked). */
  operationIds: ReadonlySet<string> | undefined;
}

const ROW_ID = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
const URL = /https:\/\/[^\s)>`|]+/;
const REPO_FILE = /`[\w.-]+\/[\w.-]+:[^\s`]+`/;
const ISSUE = /\b[\w.-]+\/[\w.-]+#\d+\b/;
const SPEC = /\bspec:([A-Za-z0-9_]+)/g;
const PIN = /`([^`]+\.test\.ts)`\s*›\s*"([^"]+)"/g;

export function parseFidelity(markdown: string): FidelityRow[] {
  const rows: FidelityRow[] = [];
  let section = '';
  for (const [index, raw] of markdown.split('\n').entries()) {
    const line = raw.trim();
    if (line.startsWith('## ')) section = line.slice(3).trim();
    if (!line.startsWith('|')) continue;
    const cells = splitRow(line);
    const id = cells[0]?.replace(/`/g, '') ?? '';
    if (!ROW_ID.test(id)) continue;
    rows.push({
      id,
      section,
      behaviour: cells[1] ?? '',
      evidence: cells[2] ?? '',
      emulator: cells[3] ?? '',
      pinnedBy: cells[4] ?? '',
      line: index + 1,
    });
  }
  return rows;
}

/** Splits a table row on `|` outside backticks (a cell may quote `a|b`). */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const char of line.slice(1, line.endsWith('|') ? -1 : undefined)) {
    if (char === '`') quoted = !quoted;
    if (char === '|' && !quoted) {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

export function isGuess(row: FidelityRow): boolean {
  return /^\*\*guess\*\*/i.test(row.evidence);
}

export function pinnedTests(row: FidelityRow): PinnedTest[] {
  return [...row.pinnedBy.matchAll(PIN)].map((m) => ({ file: m[1]!, name: m[2]! }));
}

export function emulatorFiles(row: FidelityRow): string[] {
  return [...row.emulator.matchAll(/`([^`]+\.ts)`/g)].map((m) => m[1]!);
}

/** Every problem of every row, each naming the row by id and line. */
export function checkRows(rows: readonly FidelityRow[], world: FidelityWorld): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const at = `${row.id} (line ${row.line})`;
    if (seen.has(row.id)) problems.push(`${at}: the id is used twice`);
    seen.add(row.id);
    if (row.behaviour.length < 10) problems.push(`${at}: says nothing of what DigitalOcean does`);
    if (!isGuess(row)) {
      const cited = URL.test(row.evidence) || REPO_FILE.test(row.evidence) || ISSUE.test(row.evidence);
      const specIds = [...row.evidence.matchAll(SPEC)].map((m) => m[1]!);
      if (!cited && specIds.length === 0)
        problems.push(
          `${at}: evidence cites no source (a URL, \`owner/repo:path\`, owner/repo#N or spec:operationId); mark it **guess** if there is none`,
        );
      for (const id of specIds) {
        if (world.operationIds && !world.operationIds.has(id))
          problems.push(`${at}: spec:${id} is not an operation of DigitalOcean's OpenAPI spec`);
      }
    } else if (row.evidence.replace(/^\*\*guess\*\*/i, '').trim().length < 10) {
      problems.push(`${at}: a guess must say what it is based on and why the emulator's choice is safe`);
    }
    const files = emulatorFiles(row);
    if (files.length === 0 && !/^—|^-$|tool only/i.test(row.emulator))
      problems.push(`${at}: names no emulator file (write — when only the tool relies on it)`);
    for (const file of files) if (!world.exists(file)) problems.push(`${at}: ${file} does not exist`);
    const pins = pinnedTests(row);
    if (pins.length === 0) problems.push(`${at}: no test pins it (\`test/….test.ts\` › "test name")`);
    for (const pin of pins) {
      if (!world.exists(pin.file)) problems.push(`${at}: ${pin.file} does not exist`);
      else if (!world.read(pin.file).includes(pin.name))
        problems.push(`${at}: ${pin.file} has no test named "${pin.name}"`);
    }
  }
  return problems;
}

export function projectWorld(root: string, specFile: string): FidelityWorld {
  const texts = new Map<string, string>();
  return {
    exists: (path) => existsSync(join(root, path)),
    read: (path) => {
      let text = texts.get(path);
      if (text === undefined) {
        text = readFileSync(join(root, path), 'utf8');
        texts.set(path, text);
      }
      return text;
    },
    operationIds: existsSync(specFile)
      ? new Set(
          [...readFileSync(specFile, 'utf8').matchAll(/^\s*operationId:\s*(\S+)\s*$/gm)].map((m) => m[1]!),
        )
      : undefined,
  };
}
