import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRegionOf, isDropletRegion, loadEnv, readEnvironment, secretsOf } from '../../lib/config/env.js';
import { ConfigError } from '../../lib/errors.js';
import { tempProject, thrown } from './temp-project.js';

const TOKEN = `dop_v1_${'a1'.repeat(32)}`;
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

function configError(source: Record<string, string | undefined>, cwd?: string): ConfigError {
  return thrown(ConfigError, () => loadEnv(source, { cwd }));
}

function problemAt(error: ConfigError, path: string): string {
  const problem = error.problems.find((candidate) => candidate.path === path);
  if (!problem) throw new Error(`no problem at ${path}: ${error.message}`);
  return problem.message;
}

const tempDir = () => tempProject({});

describe('loadEnv', () => {
  it('applies the documented defaults when only the token is set', () => {
    expect(loadEnv({ DIGITALOCEAN_TOKEN: TOKEN })).toEqual({
      token: TOKEN,
      apiUrl: 'https://api.digitalocean.com',
      caFile: undefined,
      region: undefined,
      ssh: { privateKey: undefined, user: 'root', port: 22, hostFingerprint: undefined },
      webSecret: undefined,
      manifestPath: 'deployment.yml',
      logLevel: 'info',
      rateLimitPerMinute: 250,
      defaultEnvironment: undefined,
    });
  });

  it('reads every variable into its typed field', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const env = loadEnv(
      {
        DIGITALOCEAN_TOKEN: TOKEN,
        DIGITALOCEAN_API_URL: 'https://127.0.0.1:8443/',
        DIGITALOCEAN_CA_FILE: 'ca.pem',
        DO_REGION: 'ams3',
        DO_SSH_PRIVATE_KEY: KEY.trim().replaceAll('\n', '\\n'),
        DO_SSH_USER: 'deploy',
        DO_SSH_PORT: '2222',
        DO_SSH_HOST_FINGERPRINT: `SHA256:${'A'.repeat(43)}`,
        OPS_WEB_SECRET: 's'.repeat(32),
        BASE2_MANIFEST: 'deploy/base2.yml',
        LOG_LEVEL: 'debug',
        DO_RATE_LIMIT_PER_MINUTE: '100',
        DEPLOY_ENV: 'staging',
      },
      { cwd: dir },
    );
    expect(env).toEqual({
      token: TOKEN,
      apiUrl: 'https://127.0.0.1:8443',
      caFile: join(dir, 'ca.pem'),
      region: 'ams3',
      ssh: { privateKey: KEY, user: 'deploy', port: 2222, hostFingerprint: `SHA256:${'A'.repeat(43)}` },
      webSecret: 's'.repeat(32),
      manifestPath: 'deploy/base2.yml',
      logLevel: 'debug',
      rateLimitPerMinute: 100,
      defaultEnvironment: 'staging',
    });
  });

  it('accepts the doctl name DIGITALOCEAN_ACCESS_TOKEN and OAuth and refresh tokens', () => {
    for (const prefix of ['dop', 'doo', 'dor']) {
      const token = `${prefix}_v1_${'0f'.repeat(32)}`;
      expect(loadEnv({ DIGITALOCEAN_ACCESS_TOKEN: token }).token).toBe(token);
    }
  });

  it('refuses a missing token and says how to get one', () => {
    const message = problemAt(configError({}), 'DIGITALOCEAN_TOKEN');
    expect(message).toMatch(/is required/);
    expect(message).toMatch(/DIGITALOCEAN_ACCESS_TOKEN/);
  });

  it('treats blank values as unset', () => {
    expect(problemAt(configError({ DIGITALOCEAN_TOKEN: '  ' }), 'DIGITALOCEAN_TOKEN')).toMatch(/is required/);
    expect(loadEnv({ DIGITALOCEAN_TOKEN: TOKEN, LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it('names the accepted prefixes for a token of the wrong kind', () => {
    const message = problemAt(
      configError({ DIGITALOCEAN_TOKEN: `ghp_${'a'.repeat(36)}` }),
      'DIGITALOCEAN_TOKEN',
    );
    expect(message).toMatch(/dop_v1_/);
    expect(message).toMatch(/doo_v1_/);
    expect(message).toMatch(/dor_v1_/);
  });

  it('refuses two different tokens under both names', () => {
    const error = configError({
      DIGITALOCEAN_TOKEN: TOKEN,
      DIGITALOCEAN_ACCESS_TOKEN: `doo_v1_${'b'.repeat(64)}`,
    });
    expect(problemAt(error, 'DIGITALOCEAN_TOKEN')).toMatch(/set only one/);
  });

  it('refuses an http:// API URL with "https is required"', () => {
    const error = configError({
      DIGITALOCEAN_TOKEN: TOKEN,
      DIGITALOCEAN_API_URL: 'http://api.digitalocean.com',
    });
    expect(problemAt(error, 'DIGITALOCEAN_API_URL')).toMatch(/https is required/);
  });

  it('refuses an API URL that is not a URL', () => {
    const error = configError({ DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_API_URL: 'api.digitalocean.com' });
    expect(problemAt(error, 'DIGITALOCEAN_API_URL')).toMatch(/https:\/\/ URL/);
  });

  it.each([
    ['DIGITALOCEAN_CA_FILE', '/nonexistent/ca.pem', /does not exist/],
    ['DO_REGION', 'mars1', /nyc3.*atl1/],
    ['DO_SSH_PRIVATE_KEY', 'not a key', /PEM private key/],
    ['DO_SSH_PRIVATE_KEY_FILE', '/nonexistent/id_ed25519', /does not exist/],
    ['DO_SSH_USER', 'Root User', /Unix user name/],
    ['DO_SSH_PORT', '0', /between 1 and 65535/],
    ['DO_SSH_PORT', '70000', /between 1 and 65535/],
    ['DO_SSH_PORT', '22a', /between 1 and 65535/],
    ['DO_SSH_HOST_FINGERPRINT', 'MD5:aa:bb', /SHA256:/],
    ['DO_SSH_HOST_FINGERPRINT', `SHA256:${'A'.repeat(43)},,SHA256:${'B'.repeat(43)}`, /separated by commas/],
    ['DO_SSH_HOST_FINGERPRINT', `SHA256:${'A'.repeat(43)}\nSHA256:${'B'.repeat(43)}`, /SHA256:/],
    ['OPS_WEB_SECRET', 'short', /at least 32 characters/],
    ['LOG_LEVEL', 'verbose', /debug, info, warn, error/],
    ['DO_RATE_LIMIT_PER_MINUTE', '0', /positive whole number/],
    ['DO_RATE_LIMIT_PER_MINUTE', '-5', /positive whole number/],
    ['DEPLOY_ENV', 'Staging!', /lowercase/],
  ])('reports a malformed %s (%s)', (name, value, expected) => {
    expect(problemAt(configError({ DIGITALOCEAN_TOKEN: TOKEN, [name]: value }), name)).toMatch(expected);
  });

  it('refuses a CA file that holds no certificate', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), 'hello');
    const error = configError({ DIGITALOCEAN_TOKEN: TOKEN, DIGITALOCEAN_CA_FILE: join(dir, 'ca.pem') });
    expect(problemAt(error, 'DIGITALOCEAN_CA_FILE')).toMatch(/CERTIFICATE/);
  });

  it('refuses a directory where a file is expected', () => {
    const dir = tempDir();
    const error = configError({
      DIGITALOCEAN_TOKEN: TOKEN,
      DIGITALOCEAN_CA_FILE: dir,
      DO_SSH_PRIVATE_KEY_FILE: dir,
    });
    expect(problemAt(error, 'DIGITALOCEAN_CA_FILE')).toMatch(/cannot be read/);
    expect(problemAt(error, 'DO_SSH_PRIVATE_KEY_FILE')).toMatch(/cannot be read/);
  });

  it('reads the private key from DO_SSH_PRIVATE_KEY_FILE', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'id'), KEY);
    expect(
      loadEnv({ DIGITALOCEAN_TOKEN: TOKEN, DO_SSH_PRIVATE_KEY_FILE: 'id' }, { cwd: dir }).ssh.privateKey,
    ).toBe(KEY);
  });

  it('refuses both DO_SSH_PRIVATE_KEY and DO_SSH_PRIVATE_KEY_FILE', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'id'), KEY);
    const error = configError(
      { DIGITALOCEAN_TOKEN: TOKEN, DO_SSH_PRIVATE_KEY: KEY, DO_SSH_PRIVATE_KEY_FILE: 'id' },
      dir,
    );
    expect(problemAt(error, 'DO_SSH_PRIVATE_KEY')).toMatch(/set only one/);
  });

  it('reports every problem at once, in variable order, as one ConfigError', () => {
    const error = configError({
      DIGITALOCEAN_API_URL: 'http://localhost',
      DO_REGION: 'nyc4',
      DO_SSH_PORT: 'ssh',
      LOG_LEVEL: 'loud',
      OPS_WEB_SECRET: 'x',
    });
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'DIGITALOCEAN_TOKEN',
      'DIGITALOCEAN_API_URL',
      'DO_REGION',
      'DO_SSH_PORT',
      'OPS_WEB_SECRET',
      'LOG_LEVEL',
    ]);
    expect(error.message).toMatch(/^The environment is invalid: DIGITALOCEAN_TOKEN: is required/);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toMatch(/\.env\.example/);
  });

  it('never puts a secret value in the error, its JSON or its hint', () => {
    const secrets = {
      DIGITALOCEAN_TOKEN: `dop_v1_${'Z'.repeat(64)}`,
      DIGITALOCEAN_ACCESS_TOKEN: 'doo_v1_tooshort',
      DO_SSH_PRIVATE_KEY: 'PLANTED-PRIVATE-KEY-TEXT',
      OPS_WEB_SECRET: 'planted-web-secret',
    };
    const error = configError(secrets);
    const shown = [error.message, error.describe(), JSON.stringify(error.toJSON())].join('\n');
    expect(error.problems).toHaveLength(5);
    for (const value of Object.values(secrets)) expect(shown).not.toContain(value);
  });
});

describe('secretsOf', () => {
  it('lists the token, the private key (also JSON-escaped) and the web secret', () => {
    const env = loadEnv({
      DIGITALOCEAN_TOKEN: TOKEN,
      DO_SSH_PRIVATE_KEY: KEY,
      OPS_WEB_SECRET: 'w'.repeat(40),
    });
    expect(secretsOf(env)).toEqual([TOKEN, KEY, JSON.stringify(KEY).slice(1, -1), 'w'.repeat(40)]);
    expect(secretsOf(loadEnv({ DIGITALOCEAN_TOKEN: TOKEN }))).toEqual([TOKEN]);
  });
});

describe('readEnvironment', () => {
  it('parses .env without touching process.env, and the process environment wins', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'LOG_LEVEL=debug\nDO_REGION=fra1\nBASE2_ONLY_IN_FILE="x y"\n');
    const merged = readEnvironment({ cwd: dir, processEnv: { LOG_LEVEL: 'warn', UNSET: undefined } });
    expect(merged).toEqual({ LOG_LEVEL: 'warn', DO_REGION: 'fra1', BASE2_ONLY_IN_FILE: 'x y' });
    expect(process.env.BASE2_ONLY_IN_FILE).toBeUndefined();
  });

  it('works without a .env file', () => {
    expect(readEnvironment({ cwd: tempDir(), processEnv: { A: '1' } })).toEqual({ A: '1' });
  });

  it('reads a named env file and refuses one that does not exist', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'staging.env'), 'DEPLOY_ENV=staging\n');
    expect(readEnvironment({ cwd: dir, processEnv: {}, envFile: 'staging.env' })).toEqual({
      DEPLOY_ENV: 'staging',
    });
    expect(() => readEnvironment({ cwd: dir, processEnv: {}, envFile: 'missing.env' })).toThrow(ConfigError);
  });
});

describe('regions', () => {
  it('knows droplet regions and maps them to App Platform regions', () => {
    expect(isDropletRegion('nyc3')).toBe(true);
    expect(isDropletRegion('nyc')).toBe(false);
    expect(appRegionOf('nyc3')).toBe('nyc');
    expect(appRegionOf('ams3')).toBe('ams');
    expect(appRegionOf('atl1')).toBe('atl');
  });
});
