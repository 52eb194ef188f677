import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanParamSchema, commonInputSchema, parseInput, zodProblems } from '../../lib/config/input.js';
import { InputError } from '../../lib/errors.js';
import { thrown } from './temp-project.js';

const inputError = (run: () => unknown) => thrown(InputError, run);

describe('parseInput', () => {
  const schema = z.strictObject({
    count: z.int().min(1, 'must be at least 1'),
    image: z.object({ tag: z.string() }),
    tags: z.array(z.string()).optional(),
  });

  it('returns typed data when valid', () => {
    expect(parseInput(schema, { count: 2, image: { tag: 'v1' } }, 'The edit input')).toEqual({
      count: 2,
      image: { tag: 'v1' },
    });
  });

  it('lists every problem with its dotted path in one InputError', () => {
    const error = inputError(() =>
      parseInput(schema, { count: 0, image: {}, tags: [1], extra: true }, 'The edit input'),
    );
    expect(error.problems).toEqual([
      { path: 'count', message: 'must be at least 1' },
      { path: 'image.tag', message: 'is required' },
      { path: 'tags.0', message: 'must be text' },
      { path: 'extra', message: 'is not a known field (check its spelling and indentation)' },
    ]);
    expect(error.message).toMatch(/^The edit input is invalid: count: must be at least 1; /);
    expect(error.statusCode).toBe(400);
  });

  it('names the root `input` when the whole input is wrong', () => {
    expect(inputError(() => parseInput(schema, 'nope', 'The deploy input')).problems).toEqual([
      { path: 'input', message: 'must be a mapping of fields (key: value)' },
    ]);
  });

  it('zodProblems uses the root name it is given', () => {
    const result = z.string().safeParse(1);
    expect(result.success).toBe(false);
    if (!result.success) expect(zodProblems(result.error, 'manifest')[0]?.path).toBe('manifest');
  });
});

describe('common operation input', () => {
  it('accepts dry_run as a boolean or the strings CLI flags and web params carry', () => {
    expect(parseInput(commonInputSchema, { env: 'staging', dry_run: 'true' }, 'x')).toEqual({
      env: 'staging',
      dry_run: true,
    });
    expect(parseInput(commonInputSchema, { dry_run: 'false' }, 'x')).toEqual({ dry_run: false });
    expect(parseInput(commonInputSchema, { dry_run: true }, 'x').dry_run).toBe(true);
    expect(parseInput(commonInputSchema, {}, 'x').dry_run).toBe(false);
  });

  it('refuses other values with a clear message', () => {
    const error = inputError(() =>
      parseInput(commonInputSchema, { env: 'Prod!', dry_run: 'yes' }, 'The deploy input'),
    );
    expect(error.problems).toEqual([
      { path: 'env', message: expect.stringMatching(/^must be 1–30 lowercase letters/) },
      { path: 'dry_run', message: 'must be true or false' },
    ]);
    expect(booleanParamSchema.safeParse(undefined).success).toBe(false);
  });
});
