import { describe, expect, it } from 'vitest';
import {
  deploymentSlug,
  dropletIndexOf,
  dropletName,
  firewallName,
  isOwnedByTags,
  OWNER_TAG,
  ownershipTags,
  sshKeyName,
} from '../../lib/config/identity.js';
import { isDropletName, isFirewallName, isSshKeyName, isTagName } from '../../lib/config/names.js';
import { InputError } from '../../lib/errors.js';

describe('deployment identity', () => {
  it('names a deployment <name>-<environment>', () => {
    expect(deploymentSlug('base2', 'staging')).toBe('base2-staging');
  });

  it('refuses a slug that cannot name an app, saying why and what to do', () => {
    const attempt = () => deploymentSlug('base2-with-a-long-name', 'production-eu');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/must be 2–32 .* \(it has 36 characters\): shorten the name or the environment/);
  });

  it('owns a resource only when it carries both the slug and the owner tag', () => {
    expect(ownershipTags('base2-staging')).toEqual(['base2-staging', OWNER_TAG]);
    expect(isOwnedByTags(['base2-staging', OWNER_TAG, 'other'], 'base2-staging')).toBe(true);
    expect(isOwnedByTags(['base2-staging'], 'base2-staging')).toBe(false);
    expect(isOwnedByTags([OWNER_TAG, 'base2-production'], 'base2-staging')).toBe(false);
    expect(isOwnedByTags(null, 'base2-staging')).toBe(false);
  });

  it('builds resource names that satisfy DigitalOcean rules', () => {
    const slug = 'base2-staging';
    expect(dropletName(slug, 1)).toBe('base2-staging-1');
    expect(firewallName(slug)).toBe('base2-staging-fw');
    expect(sshKeyName(slug)).toBe('base2-staging-key');
    expect(isDropletName(dropletName(slug, 50))).toBe(true);
    expect(isFirewallName(firewallName(slug))).toBe(true);
    expect(isSshKeyName(sshKeyName(slug))).toBe(true);
    for (const tag of ownershipTags(slug)) expect(isTagName(tag)).toBe(true);
    expect(() => dropletName(slug, 0)).toThrow(RangeError);
  });

  it('reads a droplet index back only from names it built', () => {
    expect(dropletIndexOf('base2-staging-12', 'base2-staging')).toBe(12);
    expect(dropletIndexOf('base2-staging-fw', 'base2-staging')).toBeUndefined();
    expect(dropletIndexOf('base2-staging-01', 'base2-staging')).toBeUndefined();
    expect(dropletIndexOf('base2-staging-eu-1', 'base2-staging')).toBeUndefined();
    expect(dropletIndexOf('base2-production-1', 'base2-staging')).toBeUndefined();
  });
});
