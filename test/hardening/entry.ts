/**
 * The shape of one row of the operations table: valid input, the fields the hostile corpus aims at,
 * and — for operations that change DigitalOcean — where faults strike and what must hold after.
 */
import type { TimingProfile } from '../../emulator/core/types.js';
import type { OpStatus } from '../../lib/ops/types.js';
import type { FieldKind } from './corpus.js';
import type { Snapshot } from './end-state.js';
import type { Attempt, Harness } from './harness.js';

export interface FaultCase {
  label: string;
  /** Emulator fault rules (POST /_emulator/faults), or none for deadline cases. */
  rules: unknown[];
  /**
   * The world before the run: nothing, the deployment live at its first version, live and then
   * changed by hand (what maintain repairs), or live beside an older droplet generation that an
   * interrupted deploy left (what maintain cleans up).
   */
  from: 'empty' | 'deployed' | 'drifted' | 'stale';
  /** Merged over the entry's valid input. */
  input?: Record<string, unknown>;
  /** Extra environment (the manifest fixture reads some values from it). */
  env?: Record<string, string>;
  /** Virtual milliseconds the run may take (the deadline). */
  timeoutMs?: number;
  /** The outcomes this fault may end in; any, when absent. */
  expect?: (OpStatus | 'error')[];
  /**
   * DigitalOcean's pace during the run (POST /_emulator/timing, e.g. deletions that take an hour),
   * set back to the realistic profile before the end state is checked.
   */
  timing?: Partial<TimingProfile>;
  /** The account's droplet limit during the run (POST /_emulator/limits), set back to the default after. */
  dropletLimit?: number;
  /** Which test file runs it (each file stays under ~20 s). */
  group: string;
}

/** A run of the operation in a child process, killed (SIGKILL) at a seeded random point. */
export interface Interruption {
  label: string;
  from: FaultCase['from'];
  input?: Record<string, unknown>;
  /** The kill lands once the child has made k mutating API calls, k seeded in this range. */
  killAfterMutations: [number, number];
  /** Which mutating calls count towards k (all, when absent): e.g. only droplet actions. */
  counts?: (request: { method: string; path: string }) => boolean;
  /** Faults active while the child runs (cleared before the next run). */
  rules?: unknown[];
  /** DigitalOcean's pace while the child runs, set back to the realistic profile after the kill. */
  timing?: Partial<TimingProfile>;
  /**
   * What brings the deployment back instead of the same operation run again (e.g. the scheduled
   * maintain), and what must hold after it.
   */
  recover?: (h: Harness, input: Record<string, unknown>) => Promise<void>;
}

export interface OperationEntry {
  name: string;
  /** A valid input, after `prepare`. */
  valid: Record<string, unknown>;
  /** Each input field, by the kind of value it holds. */
  fields: Record<string, FieldKind>;
}

export interface MutatingEntry extends OperationEntry {
  /** The deployment every case works on. */
  slug: string;
  /** The command line of `npm run invoke` for this operation (interruption tests). */
  cli: string[];
  faults: FaultCase[];
  interruptions: Interruption[];
  /** What must hold while the operation is dead mid-way (before anything runs again). */
  holdsMidway(h: Harness, before: Snapshot, input: Record<string, unknown>): Promise<void>;
  /** Brings the world to `from` (the emulator has just been reset). */
  prepare(h: Harness, from: FaultCase['from'], env?: Record<string, string>): Promise<void>;
  run(
    h: Harness,
    input: Record<string, unknown>,
    options?: { env?: Record<string, string>; timeoutMs?: number },
  ): Promise<Attempt>;
  /** What must hold after any attempt, whatever it ended in. */
  holds(
    h: Harness,
    before: Snapshot,
    attempt: Attempt,
    fault: Pick<FaultCase, 'input' | 'env'>,
  ): Promise<void>;
  /**
   * Run again without faults: it reaches its goal, and once more changes nothing. `resume`: the
   * token the attempt's `in_progress` answer gave, brought back by the first run again.
   */
  converges(h: Harness, fault: Pick<FaultCase, 'input' | 'env'>, resume?: string): Promise<void>;
}

export function statusOf(attempt: Attempt): OpStatus | 'error' {
  return attempt.report?.status ?? 'error';
}
