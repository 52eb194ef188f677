// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { isBindableVariable, substitute, substituteOrThrow } from '../../lib/config/substitute.js';
import { InputError } from '../../lib/errors.js';

describe('substitute', () => {
  it('fills ${VAR} from the environment and ${VAR:-default} when unset or empty', () => {
    const text = 'port: ${PORT}\nhost: ${HOST:-localhost}\nmode: ${MODE:-safe}\nempty: ${EMPTY:-}';
    const { text: result, problems } = substitute(text, { PORT: '8080', MODE: '' });
    expect(problems).toEqual([]);
    expect(result).toBe('port: 8080\nhost: localhost\nmode: safe\nempty: ');
  });

  it('keeps a default that contains spaces and colons', () => {
    expect(substitute('key: ${KEY:-ssh-ed25519 AAAA: x}', {}).text).toBe('key: ssh-ed25519 AAAA: x');
  });

  it('lists every unset variable without a default, with its line', () => {
    const { problems } = substitute('a: ${A}\nb: ok\nc: ${C} and ${D:-d} and ${E}', {});
    expect(problems).toEqual([
      { path: 'line 1', message: expect.stringContaining('${A} is unset or empty and has no default') },
      { path: 'line 3', message: expect.stringContaining('${C}') },
      { path: 'line 3', message: expect.stringContaining('${E}') },
    ]);
  });

  it('reports malformed and unterminated references', () => {
    const { problems } = substitute('a: ${1X}\nb: ${}\nc: ${OPEN', {});
    expect(problems.map((problem) => problem.path)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(problems[0]?.message).toMatch(/not a valid reference/);
    expect(problems[2]?.message).toMatch(/no closing/);
  });

  it('leaves App Platform bindable variables untouched when asked', () => {
    const text =
      'a: ${APP_URL}\nb: ${db.DATABASE_URL}\nc: ${_self.URL}\nd: ${api-v2.PRIVATE_URL}\ne: ${APP_ID}';
    expect(substitute(text, { APP_URL: 'https://wrong' }, { keepBindables: true })).toEqual({
      text,
      problems: [],
    });
  });

  it('treats bindables as ordinary variables otherwise', () => {
    const { problems } = substitute('a: ${APP_DOMAIN}\nb: ${db.URL}', {});
    expect(problems.map((problem) => problem.path)).toEqual(['line 1', 'line 2']);
  });

  it('writes a literal ${ for $${ and skips whole-line comments', () => {
    const text = '# uses ${UNSET} here\nrun: echo $${HOME}\n  # ${ALSO_UNSET}';
    expect(substitute(text, {})).toEqual({
      text: '# uses ${UNSET} here\nrun: echo ${HOME}\n  # ${ALSO_UNSET}',
      problems: [],
    });
  });

  it('recognises bindable variable forms', () => {
    expect(isBindableVariable('APP_URL')).toBe(true);
    expect(isBindableVariable('_self.PRIVATE_URL')).toBe(true);
    expect(isBindableVariable('HOME')).toBe(false);
  });

  it('throws one InputError naming the file and never the values', () => {
    const attempt = () =>
      substituteOrThrow('a: ${A}\nb: ${SECRET}x${B}', { SECRET: 'planted-secret' }, 'deployment.yml');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/^deployment\.yml is invalid: line 1: .*; line 2: /);
    expect(attempt).not.toThrow(/planted-secret/);
  });
});
