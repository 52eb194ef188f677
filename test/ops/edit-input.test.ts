import { describe, expect, it } from 'vitest';
import { parseInput } from '../../lib/config/input.js';
import { InputError } from '../../lib/errors.js';
import { type EditInput, editInputSchema } from '../../lib/ops/edit/index.js';
import { parseArgs } from '../../scripts/cli/args.js';

const parse = (raw: unknown): EditInput => parseInput(editInputSchema, raw, 'The edit input');

function problems(raw: unknown): string[] {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the input to be refused');
}

describe('edit input', () => {
  it('takes the nested change set as JSON values and normalizes it', () => {
    const input = parse({
      env: 'staging',
      scale: {
        app: { web: 2, worker: { instance_size_slug: 'apps-s-1vcpu-1gb' } },
        droplets: { count: 3, size: 's-2vcpu-2gb' },
      },
      set_env: {
        LOG_LEVEL: 'debug',
        PORT: 8080,
        API_KEY: { value: 'k-123456', type: 'SECRET', component: 'web' },
      },
      unset_env: ['OLD_FLAG'],
      image_tag: '1.4.2',
      records: {
        add: [{ type: 'A', name: 'www', data: '203.0.113.7', ttl: 300 }],
        remove: [{ type: 'TXT', name: 'old' }],
      },
    });
    expect(input).toEqual({
      env: 'staging',
      dry_run: false,
      changes: {
        app: {
          scale: { web: { instance_count: 2 }, worker: { instance_size_slug: 'apps-s-1vcpu-1gb' } },
          setEnv: {
            LOG_LEVEL: { value: 'debug' },
            PORT: { value: '8080' },
            API_KEY: { value: 'k-123456', type: 'SECRET', component: 'web' },
          },
          unsetEnv: ['OLD_FLAG'],
        },
        droplets: { count: 3, size: 's-2vcpu-2gb' },
        image: { tag: '1.4.2' },
        records: {
          add: [{ type: 'A', name: 'www', data: '203.0.113.7', ttl: 300 }],
          remove: [{ type: 'TXT', name: 'old' }],
        },
      },
    });
  });

  it('maps the CLI flags (strings, JSON text, pairs and lists) onto the same change set', () => {
    const input = parse({
      droplet_count: '3',
      droplet_size: 's-2vcpu-2gb',
      app_instances: 'web=2, worker=1',
      app_size: 'web=apps-s-1vcpu-1gb',
      set_env: '{"LOG_LEVEL":"debug"}',
      unset_env: 'A,B',
      image_digest: `sha256:${'a'.repeat(64)}`,
      records: '{"add":[{"type":"CNAME","name":"docs","data":"example.org."}]}',
      dry_run: 'true',
      lock_wait: '0',
    });
    expect(input.dry_run).toBe(true);
    expect(input.lock_wait).toBe(0);
    expect(input.changes.droplets).toEqual({ count: 3, size: 's-2vcpu-2gb' });
    expect(input.changes.app.scale).toEqual({
      web: { instance_count: 2, instance_size_slug: 'apps-s-1vcpu-1gb' },
      worker: { instance_count: 1 },
    });
    expect(input.changes.app.setEnv).toEqual({ LOG_LEVEL: { value: 'debug' } });
    expect(input.changes.app.unsetEnv).toEqual(['A', 'B']);
    expect(input.changes.image).toEqual({ digest: `sha256:${'a'.repeat(64)}` });
    expect(input.changes.records.add).toEqual([{ type: 'CNAME', name: 'docs', data: 'example.org.' }]);
    expect(parse({ scale: '{"droplets":{"count":1}}' }).changes.droplets).toEqual({ count: 1 });
    expect(parse({ unset_env: '["X"]' }).changes.app.unsetEnv).toEqual(['X']);
  });

  it('reads a command line as `npm run invoke -- edit …` passes it', () => {
    const { op, input } = parseArgs([
      'edit',
      '--env',
      'staging',
      '--droplet-count',
      '3',
      '--app-instances=web=2',
      '--set-env',
      '{"LOG_LEVEL":"debug","API_KEY":{"value":"k-9f8e7d","type":"SECRET"}}',
      '--unset-env',
      'OLD_FLAG',
      '--image-tag',
      '1.4.2',
      '--lock-wait',
      '30',
      '--dry-run',
    ]);
    expect(op).toBe('edit');
    const parsed = parse(input);
    expect(parsed).toMatchObject({ env: 'staging', dry_run: true, lock_wait: 30 });
    expect(parsed.changes).toEqual({
      app: {
        scale: { web: { instance_count: 2 } },
        setEnv: { LOG_LEVEL: { value: 'debug' }, API_KEY: { value: 'k-9f8e7d', type: 'SECRET' } },
        unsetEnv: ['OLD_FLAG'],
      },
      droplets: { count: 3 },
      image: { tag: '1.4.2' },
      records: { add: [], remove: [] },
    });
  });

  it('refuses a bad change set before anything happens, naming every problem by its path', () => {
    expect(
      problems({
        scale: { app: { web: 0 }, droplets: { count: 51, size: 'Big Size' } },
        set_env: { 'bad-key': 'x', GOOD: { value: 'x', type: 'PLAIN' } },
        records: {
          add: [{ type: 'A', name: 'www', data: 'not-an-ip' }],
          remove: [{ type: 'MX', name: '@' }],
        },
        image_tag: '1.4.2',
        image_digest: 'sha256:nope',
        droplets_count: 3,
      }),
    ).toEqual([
      'scale.app.web: must be an instance count, or { "instance_count": …, "instance_size_slug": … }',
      'scale.droplets.count: must be a whole number of droplets from 0 to 50',
      'scale.droplets.size: must be a size slug such as s-2vcpu-2gb',
      'set_env.bad-key: is not an accepted key: it must be a variable name: letters, digits and _, not starting with a digit',
      'set_env.GOOD: must be a value, or { "value": …, "type": "GENERAL" | "SECRET", "component": … }',
      'image_digest: must be sha256: followed by 64 hex digits',
      'records.add.0.data: must be an IPv4 address for an A record',
      'records.remove.0.type: must be one of A, AAAA, CNAME, TXT',
      'droplets_count: is not a known field (check its spelling and indentation)',
    ]);
  });

  it('refuses malformed JSON text, flags that repeat a nested field, and contradictions', () => {
    expect(problems({ set_env: '{"A":' })).toEqual(['set_env: must be JSON such as {"LOG_LEVEL":"debug"}']);
    expect(problems({ app_instances: 'web' })).toEqual([
      'app_instances: must be component=value pairs separated by commas, e.g. web=2,worker=1',
    ]);
    expect(
      problems({
        droplet_count: 2,
        scale: { droplets: { count: 3 } },
        image_tag: '1',
        image_digest: `sha256:${'b'.repeat(64)}`,
        set_env: { A: '1' },
        unset_env: ['A'],
        records: {
          add: [{ type: 'A', name: 'www', data: '192.0.2.1' }],
          remove: [{ type: 'A', name: 'www' }],
        },
      }),
    ).toEqual([
      'droplet_count: says the same as scale.droplets.count: give one of them',
      'image_digest: cannot be given together with image_tag: choose one',
      'unset_env.0: A is also in set_env',
      'records.remove.0: is also in records.add',
    ]);
  });

  it('refuses a change set that asks for nothing', () => {
    expect(problems({ env: 'staging' })).toEqual([
      'input: asks for no change: give scale, set_env, unset_env, image_tag, image_digest or records (or their flags)',
    ]);
  });

  it('never echoes a value in its problems (a SECRET could be one)', () => {
    const text = problems({ set_env: { API_KEY: { value: 'hunter2-secret', type: 'nope' } } }).join('\n');
    expect(text).not.toContain('hunter2-secret');
  });
});
