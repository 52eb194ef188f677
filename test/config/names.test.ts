import { describe, expect, it } from 'vitest';
import {
  APP_NAME_PATTERN,
  appNameSchema,
  environmentNameSchema,
  isAppName,
  isComponentName,
  isDomainName,
  isDropletName,
  isFirewallName,
  isRecordName,
  isRegistryName,
  isSshKeyName,
  isTagName,
  TAG_PATTERN,
} from '../../lib/config/names.js';
import { isOpenSshPublicKey, publicKeyProblem } from '../../lib/config/ssh-key.js';

describe('DigitalOcean name rules', () => {
  it.each([
    [
      isAppName,
      ['base2', 'base2-staging', 'ab', `a${'b'.repeat(31)}`],
      ['a', 'Base2', '2base', 'base2-', 'base_2', `a${'b'.repeat(32)}`],
    ],
    [isComponentName, ['web', 'api-v2'], ['w', 'Web', 'web-']],
    [isDropletName, ['base2-staging-1', 'Web.example.com', 'a'], ['web_1', 'web-', 'we b', 'x'.repeat(256)]],
    [
      isTagName,
      ['base2-staging', 'managed-by:base2-do', 'env_prod'],
      ['with space', 'a/b', '', 't'.repeat(256)],
    ],
    [
      isDomainName,
      ['example.com', 'staging.base2.example.com', 'xn--bcher-kva.example'],
      ['example', '-a.com', 'a..com', 'a.com.', 'a_b.com', `${'a'.repeat(64)}.com`],
    ],
    [isRecordName, ['@', 'www', 'api.v2', '_dmarc', '*', '*.app'], ['', 'a..b', '-www', 'w w', '@.www']],
    [isRegistryName, ['base2', 'my-registry-1'], ['Base2', 'my_registry', '', 'r'.repeat(64)]],
    [isFirewallName, ['base2-staging-fw', 'fw.v2'], ['f', '-fw', 'fw_1', 'fw 1']],
    [isSshKeyName, ['base2-staging-key', 'My SSH Public Key'], ['', 'line\nbreak', 'k'.repeat(256)]],
  ])('%o accepts valid names and refuses invalid ones', (predicate, valid, invalid) => {
    for (const name of valid) expect(predicate(name), name).toBe(true);
    for (const name of invalid) expect(predicate(name), name).toBe(false);
  });

  it('exports the raw patterns for the emulator', () => {
    expect(APP_NAME_PATTERN.test('base2-staging')).toBe(true);
    expect(TAG_PATTERN.test('managed-by:base2-do')).toBe(true);
  });

  it('schemas explain the rule instead of echoing the value', () => {
    const result = appNameSchema.safeParse('Not_An_App');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^must be 2–32 lowercase letters/);
    expect(result.error?.issues[0]?.message).not.toContain('Not_An_App');
    expect(environmentNameSchema.safeParse('staging').success).toBe(true);
    expect(environmentNameSchema.safeParse('e'.repeat(31)).success).toBe(false);
  });
});

describe('OpenSSH public keys', () => {
  const ED25519 =
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJeX1kgymIaelKiSqc7R9gXuaWcWSLoQsfOiFyHXIcgV base2-placeholder';

  it('accepts a .pub line with or without a comment', () => {
    expect(isOpenSshPublicKey(ED25519)).toBe(true);
    expect(isOpenSshPublicKey(ED25519.split(' ').slice(0, 2).join(' '))).toBe(true);
  });

  it('explains what is wrong with a key that is not one', () => {
    expect(publicKeyProblem('ssh-dss AAAA')).toMatch(/key type/);
    expect(publicKeyProblem('ssh-ed25519')).toMatch(/base64/);
    expect(publicKeyProblem('ssh-ed25519 not*base64')).toMatch(/base64/);
    expect(publicKeyProblem(ED25519.replace('ssh-ed25519', 'ssh-rsa'))).toMatch(/not a ssh-rsa key/);
    expect(publicKeyProblem(`${ED25519}\n${ED25519}`)).toMatch(/single line/);
  });
});
