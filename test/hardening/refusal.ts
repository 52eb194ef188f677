/**
 * What a refusal of bad input must look like: an input or configuration error (exit code 2, HTTP
 * 400) naming the field, one readable sentence that does not echo the value back, and no API call.
 */
import { expect } from 'vitest';
import { ConfigError, InputError } from '../../lib/errors.js';
import type { Attempt, Harness } from './harness.js';

export interface RefusalOptions {
  /** The field (input path or environment variable) the error must name. */
  field: string;
  /** The offending value: a long string value must not be echoed back. */
  value?: unknown;
  /** Other words that name the field well enough (the manifest file's name). */
  alsoNamedBy?: string;
}

export async function expectRefused(h: Harness, attempt: Attempt, options: RefusalOptions): Promise<void> {
  try {
    await checkRefusal(h, attempt, options);
  } finally {
    // A case that did call the API must not make the next one look guilty.
    await h.clearRequests();
  }
}

async function checkRefusal(h: Harness, attempt: Attempt, options: RefusalOptions): Promise<void> {
  const what = `${options.field} = ${JSON.stringify(options.value)?.slice(0, 60)}`;
  const error = attempt.error;
  expect(error, `${what} was accepted: ${attempt.report?.status}`).toBeDefined();
  expect(error instanceof InputError || error instanceof ConfigError, `${what}: ${error?.name}`).toBe(true);
  const refusal = error as InputError | ConfigError;
  expect(refusal.exitCode).toBe(2);
  expect(refusal.statusCode).toBe(400);
  const named =
    refusal.problems.some((p) => p.path === options.field || p.path.startsWith(`${options.field}.`)) ||
    (options.alsoNamedBy !== undefined && refusal.message.includes(options.alsoNamedBy));
  expect(named, `${what}: the error names ${options.field}: ${refusal.message.slice(0, 300)}`).toBe(true);
  expect(refusal.message.length, `${what}: one readable sentence`).toBeLessThan(2_000);
  expect(refusal.message, `${what}: no line breaks`).not.toMatch(/[\r\n]/);
  if (typeof options.value === 'string' && options.value.length >= 8 && options.alsoNamedBy === undefined) {
    expect(refusal.message.includes(options.value), `${what}: the value is echoed back`).toBe(false);
  }
  expect(await h.requests(), `${what}: API calls were made`).toEqual([]);
}
