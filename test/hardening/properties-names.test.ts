/**
 * Property-based tests of name handling (fast-check): every name the tool builds from valid inputs
 * passes DigitalOcean's own patterns (copied from its public OpenAPI spec, independently of
 * lib/config/names.ts), and a slug that cannot name an app is refused with a clear error.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  deploymentSlug,
  dropletName,
  firewallName,
  isOwnedByTags,
  OWNER_TAG,
  ownershipTags,
  sshKeyName,
} from '../../lib/config/identity.js';
import { environmentNameSchema, NAME_PART_PATTERN } from '../../lib/config/names.js';
import { InputError } from '../../lib/errors.js';
import { holderName, parseHolder } from '../../lib/lock/index.js';
import { markerValue } from '../../lib/resources/domain/records.js';
import {
  dropletGeneration,
  generationDropletName,
  parseDropletName,
} from '../../lib/resources/droplets/names.js';
import { Tally } from './tally.js';

/** DigitalOcean's patterns, from DigitalOcean-public.v2.yaml (app_spec.name, droplet names, tags, firewalls, SSH keys). */
const DO = {
  app: { pattern: /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, max: 32 },
  droplet: { pattern: /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/, max: 255 },
  tag: { pattern: /^[a-zA-Z0-9_\-:]+$/, max: 255 },
  firewall: { pattern: /^[a-zA-Z0-9][a-zA-Z0-9.-]+$/, max: 255 },
  sshKey: { pattern: /^[^\x00-\x1f\x7f]+$/, max: 255 },
} as const;

const passes = (kind: keyof typeof DO, value: string) =>
  value.length <= DO[kind].max && DO[kind].pattern.test(value);

const RUNS = 300;
const tally = new Tally(import.meta.filename);
afterAll(() => tally.publish());

/** Valid name parts, as the manifest and `--env` accept them. */
const part = fc.stringMatching(NAME_PART_PATTERN).filter((value) => value.length <= 30);

function property<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: RUNS, seed: 42 });
  tally.held('property', RUNS);
}

describe('names from valid inputs', () => {
  it('a slug is a valid app name of at most 32 characters, or refused naming the deployment', () => {
    property(fc.tuple(part, part), ([name, environment]) => {
      let slug: string;
      try {
        slug = deploymentSlug(name, environment);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).problems[0]?.path).toBe('deployment');
        expect((error as InputError).message).toMatch(/shorten the name or the environment/);
        expect(`${name}-${environment}`.length > 32 || !DO.app.pattern.test(`${name}-${environment}`)).toBe(
          true,
        );
        return;
      }
      expect(passes('app', slug)).toBe(true);
      expect(slug).toBe(`${name}-${environment}`);
    });
  });

  it('every resource name built from a slug passes DigitalOcean’s pattern for its kind', () => {
    const slug = fc
      .tuple(part, part)
      .map(([a, b]) => `${a}-${b}`)
      .filter((s) => passes('app', s));
    const generation = fc.record({
      image: fc.string(),
      region: fc.string(),
      userDataSha256: fc.string(),
      sshKeyFingerprint: fc.string(),
    });
    property(fc.tuple(slug, generation, fc.integer({ min: 1, max: 50 })), ([s, fields, index]) => {
      const gen = dropletGeneration(fields);
      const droplet = generationDropletName(s, gen, index);
      expect(passes('droplet', droplet), droplet).toBe(true);
      expect(passes('droplet', dropletName(s, index))).toBe(true);
      expect(parseDropletName(droplet, s)).toEqual({ generation: gen, index });
      expect(passes('firewall', firewallName(s))).toBe(true);
      expect(passes('sshKey', sshKeyName(s))).toBe(true);
      for (const tag of ownershipTags(s)) expect(passes('tag', tag), tag).toBe(true);
      expect(isOwnedByTags(ownershipTags(s), s)).toBe(true);
      expect(isOwnedByTags([s], s)).toBe(false);
      expect(markerValue(s)).toContain(OWNER_TAG);
    });
  });

  it('a lock holder name fits an SSH key name and reads back as written', () => {
    const slug = fc
      .tuple(part, part)
      .map(([a, b]) => `${a}-${b}`)
      .filter((s) => passes('app', s));
    const time = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2099, 0, 1) });
    const holder = fc.record({
      op: fc.constantFrom('deploy', 'edit', 'teardown', 'maintain'),
      holder: fc.stringMatching(/^[0-9a-f]{8}$/),
      since: time,
      until: time,
    });
    property(fc.tuple(slug, holder), ([s, h]) => {
      const name = holderName(s, h);
      expect(passes('sshKey', name), name).toBe(true);
      expect(parseHolder(s, name)).toEqual(h);
    });
  });
});

describe('names from any input', () => {
  it('an environment name is accepted only when it can be part of a slug', () => {
    property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), part), (value) => {
      const accepted = environmentNameSchema.safeParse(value).success;
      expect(accepted).toBe(NAME_PART_PATTERN.test(value) && value.length <= 30);
      if (accepted) expect(/^[a-z0-9-]+$/.test(value)).toBe(true);
    });
  });

  it('a droplet name of another deployment is never read as one of this deployment’s', () => {
    const slug = fc
      .tuple(part, part)
      .map(([a, b]) => `${a}-${b}`)
      .filter((s) => passes('app', s));
    property(fc.tuple(slug, fc.string()), ([s, suffix]) => {
      const parsed = parseDropletName(`${s}-eu-${suffix}`, s);
      expect(parsed).toBeUndefined();
    });
  });
});
