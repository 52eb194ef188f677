/**
 * What the hardening suite tried and how much of it held. Each test file keeps a Tally and, when it
 * ends, adds it to the run's shared record (files run in separate processes of one vitest run) and
 * prints its own line; the file that completes the set prints the summary of the whole suite.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export type Category =
  | 'fault'
  | 'interruption'
  | 'concurrency'
  | 'bad_input'
  | 'web'
  | 'https'
  | 'property'
  | 'secret_scan';

interface Counts {
  tried: Partial<Record<Category, number>>;
  held: Partial<Record<Category, number>>;
  secrets: number;
  forms: number;
  outputs: number;
}

const WORDS: Record<Category, string> = {
  fault: 'fault cases',
  interruption: 'interruptions',
  concurrency: 'concurrent runs',
  bad_input: 'bad inputs',
  web: 'web refusals',
  https: 'plain-HTTP refusals',
  property: 'property runs',
  secret_scan: 'secret scans',
};

export class Tally {
  readonly counts: Counts = { tried: {}, held: {}, secrets: 0, forms: 0, outputs: 0 };

  constructor(private readonly file: string) {}

  /** Runs one case: counted as tried, and as held only once its assertions have passed. */
  async check<T>(category: Category, work: () => Promise<T> | T): Promise<T> {
    this.add('tried', category, 1);
    const value = await work();
    this.add('held', category, 1);
    return value;
  }

  /**
   * Runs every case of a corpus, counting each, and fails once at the end listing every case that
   * did not hold (so one run shows them all).
   */
  async corpus<T>(
    category: Category,
    cases: readonly T[],
    name: (item: T) => string,
    work: (item: T) => Promise<void>,
  ): Promise<void> {
    const failures: string[] = [];
    for (const item of cases) {
      try {
        await this.check(category, () => work(item));
      } catch (error) {
        failures.push(
          `${name(item)}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        );
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} did not hold:\n${failures.join('\n')}`);
  }

  /** Counts `n` cases that held at once (property runs, corpus entries checked in one loop). */
  held(category: Category, n: number): void {
    this.add('tried', category, n);
    this.add('held', category, n);
  }

  /** A scan of `outputs` texts for `secrets` planted values in `forms` encodings each. */
  scanned(secrets: number, forms: number, outputs: number): void {
    this.counts.secrets = Math.max(this.counts.secrets, secrets);
    this.counts.forms = Math.max(this.counts.forms, forms);
    this.counts.outputs += outputs;
    this.held('secret_scan', 1);
  }

  private add(which: 'tried' | 'held', category: Category, n: number): void {
    this.counts[which][category] = (this.counts[which][category] ?? 0) + n;
  }

  /** Records this file's counts for the run and prints its line (and the suite's, when complete). */
  publish(): void {
    console.log(`hardening (${basename(this.file)}): ${summarize(this.counts)}`);
    const dir = join(tmpdir(), `base2-hardening-${process.ppid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${basename(this.file)}.json`), JSON.stringify(this.counts));
    const expected = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.test.ts'));
    const reported = expected.filter((f) => existsSync(join(dir, `${f}.json`)));
    if (reported.length < expected.length) return;
    // Two files finishing together both see the full set: only the first prints the summary.
    try {
      closeSync(openSync(join(dir, 'summary-printed'), 'wx'));
    } catch {
      return;
    }
    const all = reported.map((f) => JSON.parse(readFileSync(join(dir, `${f}.json`), 'utf8')) as Counts);
    console.log(`hardening: ${summarize(merge(all))}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function merge(all: readonly Counts[]): Counts {
  const total: Counts = { tried: {}, held: {}, secrets: 0, forms: 0, outputs: 0 };
  for (const counts of all) {
    for (const which of ['tried', 'held'] as const) {
      for (const [category, n] of Object.entries(counts[which]) as [Category, number][]) {
        total[which][category] = (total[which][category] ?? 0) + n;
      }
    }
    total.secrets = Math.max(total.secrets, counts.secrets);
    total.forms = Math.max(total.forms, counts.forms);
    total.outputs += counts.outputs;
  }
  return total;
}

/** `24 fault cases, 6 interruptions, 4 secrets × 5 forms × 380 outputs, … — all held`. */
export function summarize(counts: Counts): string {
  const parts: string[] = [];
  const failing: string[] = [];
  for (const category of Object.keys(WORDS) as Category[]) {
    const tried = counts.tried[category] ?? 0;
    if (tried === 0) continue;
    const held = counts.held[category] ?? 0;
    if (held < tried) failing.push(`${tried - held} of ${tried} ${WORDS[category]}`);
    if (category === 'secret_scan') {
      parts.push(`${counts.secrets} secrets × ${counts.forms} forms × ${counts.outputs} outputs`);
    } else {
      parts.push(`${tried} ${WORDS[category]}`);
    }
  }
  const verdict = failing.length === 0 ? 'all held' : `did not hold: ${failing.join(', ')}`;
  return `${parts.join(', ')} — ${verdict}`;
}
