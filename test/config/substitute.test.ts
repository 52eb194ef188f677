// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { isBindableVariable } from '../../lib/config/substitute.js';
import { parseYaml } from '../../lib/config/yaml-file.js';
import { InputError, type Problem } from '../../lib/errors.js';

const read = (text: string, env: Record<string, string> = {}, keepBindables = false) =>
  parseYaml(text, 'deployment.yml', env, { keepBindables });

function problemsOf(text: string, env: Record<string, string> = {}): readonly Problem[] {
  try {
    read(text, env);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  return [];
}

describe('${VAR} substitution', () => {
  it('fills ${VAR} from the environment and ${VAR:-default} when unset or empty', () => {
    const text = 'port: ${PORT}\nhost: ${HOST:-localhost}\nmode: ${MODE:-safe}\nempty: ${EMPTY:-}';
    expect(read(text, { PORT: '8080', MODE: '' })).toEqual({
      port: 8080,
      host: 'localhost',
      mode: 'safe',
      empty: '',
    });
  });

  it('types a whole plain value as YAML would, and leaves quoted or partial values strings', () => {
    const text = 'a: ${N}\nb: "${N}"\nc: v${N}\nd: ${T}\ne: ${S}\nf: [${N}, ${T}]';
    expect(read(text, { N: '80', T: 'true', S: '0x1F and more' })).toEqual({
      a: 80,
      b: '80',
      c: 'v80',
      d: true,
      e: '0x1F and more',
      f: [80, true],
    });
  });

  it('keeps a default that contains spaces and colons as one string', () => {
    expect(read('key: ${KEY:-ssh-ed25519 AAAA x}', {})).toEqual({ key: 'ssh-ed25519 AAAA x' });
  });

  it('never lets a value change the structure: line breaks, " #", ": " and quotes stay in the value', () => {
    const text =
      'envs:\n  - key: SECRET_KEY\n    value: ${SECRET}\n    type: SECRET\nnote: "${NOTE}"\nport: ${PORT}';
    const env = { SECRET: 'abc\n  - key: INJECTED\n    value: x', NOTE: 'say "hi" #1', PORT: '80 # comment' };
    expect(read(text, env)).toEqual({
      envs: [{ key: 'SECRET_KEY', value: 'abc\n  - key: INJECTED\n    value: x', type: 'SECRET' }],
      note: 'say "hi" #1',
      port: '80 # comment',
    });
    expect(read('value: ${V}', { V: 'abc #def' })).toEqual({ value: 'abc #def' });
    expect(read('value: ${V}', { V: 'a: b' })).toEqual({ value: 'a: b' });
    expect(read('value: ${V}', { V: '[1, 2]' })).toEqual({ value: '[1, 2]' });
  });

  it('fills block scalars and keys', () => {
    expect(read('script: |\n  echo ${WHO}\n  echo $${HOME}\n${KEY}: 1', { WHO: 'me', KEY: 'k' })).toEqual({
      script: 'echo me\necho ${HOME}\n',
      k: 1,
    });
  });

  it('refuses keys that become equal once filled', () => {
    expect(problemsOf('${A}: 1\n${B}: 2', { A: 'same', B: 'same' })).toEqual([
      { path: 'line 2', message: expect.stringMatching(/key given twice/) },
    ]);
  });

  it('lists every unset variable without a default, with its line', () => {
    expect(problemsOf('a: ${A}\nb: ok\nc: ${C} and ${D:-d} and ${E}')).toEqual([
      { path: 'line 1', message: expect.stringContaining('${A} is unset or empty and has no default') },
      { path: 'line 3', message: expect.stringContaining('${C}') },
      { path: 'line 3', message: expect.stringContaining('${E}') },
    ]);
  });

  it('reports malformed and unterminated references', () => {
    const problems = problemsOf('a: ${1X}\nb: ${}\nc: ${OPEN');
    expect(problems.map((problem) => problem.path)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(problems[0]?.message).toMatch(/not a valid reference/);
    expect(problems[2]?.message).toMatch(/no closing/);
  });

  it('leaves App Platform bindable variables untouched when asked', () => {
    const text =
      'a: ${APP_URL}\nb: ${db.DATABASE_URL}\nc: ${_self.URL}\nd: ${api-v2.PRIVATE_URL}\ne: ${APP_ID}';
    expect(read(text, { APP_URL: 'https://wrong' }, true)).toEqual({
      a: '${APP_URL}',
      b: '${db.DATABASE_URL}',
      c: '${_self.URL}',
      d: '${api-v2.PRIVATE_URL}',
      e: '${APP_ID}',
    });
  });

  it('treats bindables as ordinary variables otherwise', () => {
    expect(problemsOf('a: ${APP_DOMAIN}\nb: ${db.URL}').map((problem) => problem.path)).toEqual([
      'line 1',
      'line 2',
    ]);
  });

  it('writes a literal ${ for $${ and never fills comments', () => {
    const text = '# uses ${UNSET} here\nrun: echo $${HOME}  # and ${OTHER}\n  # ${ALSO_UNSET}';
    expect(read(text)).toEqual({ run: 'echo ${HOME}' });
  });

  it('recognises bindable variable forms', () => {
    expect(isBindableVariable('APP_URL')).toBe(true);
    expect(isBindableVariable('_self.PRIVATE_URL')).toBe(true);
    expect(isBindableVariable('HOME')).toBe(false);
  });

  it('throws one InputError naming the file and never the values', () => {
    const attempt = () => read('a: ${A}\nb: ${SECRET}x${B}', { SECRET: 'planted-secret' });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/^deployment\.yml is invalid: line 1: .*; line 2: /);
    expect(attempt).not.toThrow(/planted-secret/);
  });

  it('reports YAML errors at the column of the original text, not of the placeholder', () => {
    const reference = '${LONG_VARIABLE_NAME}';
    const text = (value: string) => `a: ${value}: b: c\nd: "unclosed`;
    const expected = problemsOf(text('x'.repeat(reference.length)));
    expect(expected.map((problem) => problem.message).join()).toMatch(/column \d+/);
    expect(problemsOf(text(reference), { LONG_VARIABLE_NAME: 'v' })).toEqual(expected);
  });
});
