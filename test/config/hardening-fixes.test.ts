import { describe, expect, it } from 'vitest';
import { parseInput } from '../../lib/config/input.js';
import { parseYaml, readYamlFile } from '../../lib/config/yaml-file.js';
import { InputError } from '../../lib/errors.js';
import { deployInputSchema } from '../../lib/ops/deploy/input.js';

describe('input that would otherwise be misread', () => {
  it('refuses a misspelt field instead of running without it (dryrun is not dry_run)', () => {
    expect(() => parseInput(deployInputSchema, { env: 'staging', dryrun: true }, 'The deploy input')).toThrow(
      /dryrun/,
    );
  });

  it('refuses a manifest path that is not a regular file, such as /dev/zero, at once', () => {
    expect(() => readYamlFile('/dev/zero', {}, 'deployment.yml')).toThrow(/not a regular file/);
  });

  it('reports an alias bomb or an unknown alias as invalid YAML without quoting the source', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(() => parseYaml(bomb, 'deployment.yml')).toThrow(InputError);
    try {
      parseYaml('value: *hunter2-secret', 'deployment.yml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('bounded field values', () => {
  it('refuses a health path with control characters and oversized keys and slugs', async () => {
    const { httpPathSchema, envKeySchema } = await import('../../lib/config/fields.js');
    const { sizeSlugSchema } = await import('../../lib/ops/edit/input-fields.js');
    expect(httpPathSchema.safeParse('/healthz').success).toBe(true);
    expect(httpPathSchema.safeParse('/healthz\r\nHost: evil').success).toBe(false);
    expect(envKeySchema.safeParse('A'.repeat(1_000_000)).success).toBe(false);
    expect(sizeSlugSchema.safeParse('s'.repeat(1_000_000)).success).toBe(false);
  });
});
