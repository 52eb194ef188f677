import { describe, expect, it } from 'vitest';
import { InputError } from '../../lib/errors.js';
import { createLogger, type LogLevel } from '../../lib/log/logger.js';
import { REDACTED, Redactor } from '../../lib/log/redact.js';
import { ManualClock } from './manual-clock.js';

const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';
const NASTY = ['pa"ss\\word"1', 'ends-with-backslash\\', 'tab\tand\nnewline', 'ünï"cødé\\"x', '</script>"'];

function setup(level: LogLevel = 'debug', secrets: string[] = [TOKEN], stacks = false) {
  const lines: string[] = [];
  const clock = new ManualClock();
  const redactor = new Redactor().addAll(secrets);
  const logger = createLogger({
    sink: (line) => lines.push(line),
    level,
    redactor,
    clock,
    base: { op: 'deploy' },
    stacks,
  });
  return {
    lines,
    clock,
    logger,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line: time from the clock, level, msg, base and fields', () => {
    const { logger, parsed, lines } = setup();
    logger.info('creating droplet', { name: 'base2-staging-web-1', count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()[0]).toEqual({
      time: '2025-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'creating droplet',
      op: 'deploy',
      name: 'base2-staging-web-1',
      count: 2,
    });
    expect(Object.keys(parsed()[0] ?? {}).slice(0, 3)).toEqual(['time', 'level', 'msg']);
  });

  it('drops lines below the level, but always() writes whatever the level', () => {
    const { logger, parsed } = setup('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.always('audit', { action: 'create' });
    expect(parsed().map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
      ['info', 'audit'],
    ]);
  });

  it('child loggers add their fields to every line', () => {
    const { logger, parsed } = setup();
    const child = logger.child({ deployment: 'base2-staging' }).child({ step: 'app' });
    child.info('waiting');
    expect(parsed()[0]).toMatchObject({
      op: 'deploy',
      deployment: 'base2-staging',
      step: 'app',
      msg: 'waiting',
    });
    expect(child.redactor).toBe(logger.redactor);
  });

  it('masks secrets in the message, nested fields, arrays and error messages', () => {
    const { logger, lines, parsed } = setup();
    logger.error(`call failed with ${TOKEN}`, {
      request: {
        headers: { authorization: `Bearer ${TOKEN}` },
        url: `https://x/?t=${encodeURIComponent(TOKEN)}`,
      },
      list: [[{ deep: TOKEN }]],
      error: new Error(`401 for ${TOKEN}`),
      encoded: Buffer.from(TOKEN).toString('base64'),
    });
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(Buffer.from(TOKEN).toString('base64'));
    const line = parsed()[0] as {
      msg: string;
      request: { headers: { authorization: string } };
      error: { message: string };
    };
    expect(line.msg).toBe(`call failed with ${REDACTED}`);
    expect(line.request.headers.authorization).toBe(`Bearer ${REDACTED}`);
    expect(line.error.message).toBe(`401 for ${REDACTED}`);
  });

  it('keeps every line valid JSON with no secret even for secrets full of quotes and backslashes', () => {
    const { logger, lines } = setup('debug', NASTY);
    for (const secret of NASTY) {
      logger.info(`msg ${secret}`, { value: secret, nested: { list: [secret, `${secret}${secret}`] } });
    }
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const secret of NASTY)
        expect(JSON.stringify(parsed)).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  it('serialises errors without their stack by default, with a ToolError summary', () => {
    const { logger, parsed } = setup();
    const error = new InputError('The deploy input', [{ path: 'image_tag', message: 'is required' }], {
      hint: 'Pass image_tag.',
      cause: new Error('zod said no'),
    });
    logger.error('refused', { error });
    const line = parsed()[0] as { error: unknown };
    expect(line.error).toMatchObject({
      name: 'InputError',
      kind: 'input',
      message: 'The deploy input is invalid: image_tag: is required.',
      hint: 'Pass image_tag.',
      problems: [{ path: 'image_tag', message: 'is required' }],
      cause: { name: 'Error', message: 'zod said no' },
    });
    expect(JSON.stringify(line)).not.toContain('stack');
    expect(JSON.stringify(line)).not.toMatch(/\n\s+at /);
  });

  it('includes stacks only when asked', () => {
    const { logger, parsed } = setup('debug', [TOKEN], true);
    logger.error('boom', { error: new Error(`with ${TOKEN}`) });
    const line = parsed()[0] as { error: { stack: string } };
    expect(line.error.stack).toContain('Error: with [REDACTED]');
  });

  it('does not let fields override time, level or msg, and survives cycles and bigints', () => {
    const { logger, parsed } = setup();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info('real', {
      time: 'fake',
      level: 'error',
      msg: 'fake',
      cyclic,
      big: 10n ** 20n,
      skip: undefined,
    });
    expect(parsed()[0]).toMatchObject({
      time: '2025-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'real',
      cyclic: { name: 'loop', self: '[Circular]' },
      big: '100000000000000000000',
    });
    expect(parsed()[0]).not.toHaveProperty('skip');
  });
});
