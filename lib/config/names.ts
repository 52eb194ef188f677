/**
 * DigitalOcean's naming rules, as plain regexes (the emulator enforces the same ones), predicates
 * and zod schemas. The patterns come from the public OpenAPI spec where it states one.
 */
import * as z from 'zod';

/** App names and app component names: 2–32 characters (`app_spec.name`, `app_component_base.name`). */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
export const COMPONENT_NAME_PATTERN = APP_NAME_PATTERN;
export const DROPLET_NAME_PATTERN = /^[a-zA-Z0-9]?[a-z0-9A-Z.-]*[a-z0-9A-Z]$/;
export const DROPLET_NAME_MAX_LENGTH = 255;
export const TAG_PATTERN = /^[a-zA-Z0-9_\-:]+$/;
export const TAG_MAX_LENGTH = 255;
/** One DNS label (RFC 1035, with RFC 1123's allowance for a leading digit). */
export const DOMAIN_LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** Two or more labels, the last (the TLD) starting with a letter. */
export const DOMAIN_NAME_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** A record name relative to its domain: `@` (the apex), or labels; `_` for TXT names such as `_dmarc`, `*` for a wildcard. */
export const RECORD_NAME_PATTERN =
  /^(?:@|\*|(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*)$/i;
export const REGISTRY_NAME_PATTERN = /^[a-z0-9-]{1,63}$/;
export const FIREWALL_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.-]+$/;
export const FIREWALL_NAME_MAX_LENGTH = 255;
/** SSH key names are free text for DigitalOcean; we only refuse control characters and empty names. */
export const SSH_KEY_NAME_PATTERN = /^[^\x00-\x1f\x7f]{1,255}$/;
/**
 * A deployment's name and an environment's name. Both end up in `<name>-<environment>`, which must be
 * an app name, so each part follows the app-name alphabet (a single letter is allowed for a part).
 */
export const NAME_PART_PATTERN = /^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/;

interface NameRule {
  pattern: RegExp;
  maxLength: number;
  /** Completes "must be …" in error messages. */
  rule: string;
}

const APP_RULE = 'starting with a lowercase letter, ending with a letter or digit';
const rules = {
  app: {
    pattern: APP_NAME_PATTERN,
    maxLength: 32,
    rule: `2–32 lowercase letters, digits or dashes, ${APP_RULE}`,
  },
  droplet: {
    pattern: DROPLET_NAME_PATTERN,
    maxLength: DROPLET_NAME_MAX_LENGTH,
    rule: 'a hostname of up to 255 letters, digits, dots or dashes, ending with a letter or digit',
  },
  tag: {
    pattern: TAG_PATTERN,
    maxLength: TAG_MAX_LENGTH,
    rule: 'up to 255 letters, digits, underscores, dashes or colons',
  },
  domain: {
    pattern: DOMAIN_NAME_PATTERN,
    maxLength: 253,
    rule: 'a domain name such as example.com (dot-separated labels of letters, digits and inner dashes)',
  },
  record: {
    pattern: RECORD_NAME_PATTERN,
    maxLength: 253,
    rule: '@ (the domain itself) or a name relative to the domain such as www or api.v2',
  },
  registry: {
    pattern: REGISTRY_NAME_PATTERN,
    maxLength: 63,
    rule: '1–63 lowercase letters, digits or dashes',
  },
  firewall: {
    pattern: FIREWALL_NAME_PATTERN,
    maxLength: FIREWALL_NAME_MAX_LENGTH,
    rule: '2–255 letters, digits, dots or dashes, starting with a letter or digit',
  },
  sshKey: {
    pattern: SSH_KEY_NAME_PATTERN,
    maxLength: 255,
    rule: '1–255 characters without control characters',
  },
  namePart: {
    pattern: NAME_PART_PATTERN,
    maxLength: 30,
    rule: `1–30 lowercase letters, digits or dashes, ${APP_RULE}`,
  },
} satisfies Record<string, NameRule>;

export type NameKind = keyof typeof rules;

export function isValidName(kind: NameKind, value: string): boolean {
  const { pattern, maxLength } = rules[kind];
  return value.length <= maxLength && pattern.test(value);
}

/** The rule in words, for messages: "must be <rule>". */
export function nameRule(kind: NameKind): string {
  return rules[kind].rule;
}

export const isAppName = (value: string): boolean => isValidName('app', value);
export const isComponentName = isAppName;
export const isDropletName = (value: string): boolean => isValidName('droplet', value);
export const isTagName = (value: string): boolean => isValidName('tag', value);
export const isDomainName = (value: string): boolean => isValidName('domain', value);
export const isRecordName = (value: string): boolean => isValidName('record', value);
export const isRegistryName = (value: string): boolean => isValidName('registry', value);
export const isFirewallName = (value: string): boolean => isValidName('firewall', value);
export const isSshKeyName = (value: string): boolean => isValidName('sshKey', value);

function nameSchema(kind: NameKind) {
  return z.string().refine((value) => isValidName(kind, value), `must be ${rules[kind].rule}`);
}

export const appNameSchema = nameSchema('app');
export const componentNameSchema = appNameSchema;
export const dropletNameSchema = nameSchema('droplet');
export const tagNameSchema = nameSchema('tag');
export const domainNameSchema = nameSchema('domain');
export const recordNameSchema = nameSchema('record');
export const registryNameSchema = nameSchema('registry');
export const firewallNameSchema = nameSchema('firewall');
export const sshKeyNameSchema = nameSchema('sshKey');
/** The deployment's `name` in the manifest. */
export const deploymentNameSchema = nameSchema('namePart');
/** An environment name (`staging`, `production`, …), as given in the manifest, `--env` or `DEPLOY_ENV`. */
export const environmentNameSchema = nameSchema('namePart');
