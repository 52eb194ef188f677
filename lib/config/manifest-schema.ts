/**
 * The sections of `deployment.yml`, as one environment sees them once its overrides are merged in.
 * Objects are strict: a misspelt field is reported rather than silently ignored.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { envKeySchema, envValueSchema, httpPathSchema, integerBetween, portSchema } from './fields.js';
import {
  checkImageSource,
  imageReferenceSchema,
  imageTagSchema,
  registryTypeSchema,
  repositorySchema,
} from './image.js';
import { customError } from './input.js';
import { isPlainObject } from './merge.js';
import { domainNameSchema, recordNameSchema, registryNameSchema, tagNameSchema } from './names.js';
import { dropletRegionSchema, registryRegionSchema } from './regions.js';
import { publicKeySchema } from './ssh-key.js';

const slugSchema = (example: string) =>
  z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, `must be a slug such as ${example}`);

export const registrySectionSchema = z.strictObject({
  name: registryNameSchema,
  subscription_tier: z.enum(
    ['starter', 'basic', 'professional'],
    customError('must be starter, basic or professional'),
  ),
  /** Defaults to the deployment's region when the registry can live there. */
  region: registryRegionSchema.optional(),
});

const appImageSchema = z
  .strictObject({
    repository: repositorySchema,
    registry_type: registryTypeSchema,
    registry: z.string().optional(),
    tag: imageTagSchema.optional(),
  })
  .superRefine(checkImageSource);

export const appSectionSchema = z.strictObject({
  /** DigitalOcean app spec file, relative to the manifest. */
  spec: z.string().min(1, 'must name the app spec file, e.g. .do/app.yaml'),
  image: appImageSchema.optional(),
  verify: z
    .strictObject({
      path: httpPathSchema.default('/'),
      expect_status: integerBetween(200, 299, 'must be a 2xx HTTP status such as 200').default(200),
    })
    .default(() => ({ path: '/', expect_status: 200 })),
});

export const dropletsSectionSchema = z.strictObject({
  count: integerBetween(0, 50, 'must be an integer between 0 and 50'),
  size: slugSchema('s-1vcpu-1gb'),
  image: slugSchema('debian-12-x64'),
  /** Defaults to the deployment's region. */
  region: dropletRegionSchema.optional(),
  ssh_key: z.strictObject({ public_key: publicKeySchema }),
  container: z.strictObject({
    image: imageReferenceSchema,
    port: portSchema,
    env: z.record(envKeySchema, envValueSchema).optional(),
  }),
  /** Replaces the cloud-init the tool writes; DigitalOcean accepts up to 64 KiB. */
  user_data: z.string().max(65536, 'must be at most 64 KiB (DigitalOcean’s limit)').optional(),
  health: z
    .strictObject({ port: portSchema.default(80), path: httpPathSchema.default('/healthz') })
    .default(() => ({ port: 80, path: '/healthz' })),
  /**
   * Public IPv6 on the droplets. Left out, they get it when an AAAA record points at them; `true`
   * asks for it without one. DigitalOcean cannot take it away again once a droplet has it.
   */
  ipv6: z.boolean(customError('must be true or false')).optional(),
});

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
/** Targets the tool fills in: the addresses of the deployment's droplets, or its app's hostname. */
export const RECORD_TARGETS = ['droplets', 'app'] as const;

const ttlSchema = integerBetween(30, 86400, 'must be a number of seconds between 30 and 86400');

const recordSchema = z
  .strictObject({
    type: z.enum(RECORD_TYPES, customError(`must be one of ${RECORD_TYPES.join(', ')}`)),
    name: recordNameSchema,
    target: z.string().min(1, 'must not be empty'),
    ttl: ttlSchema.optional(),
  })
  .superRefine((record, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    const { type, target } = record;
    if (type === 'A' && target !== 'droplets' && isIP(target) !== 4) {
      problem('target', 'must be droplets or an IPv4 address for an A record');
    }
    if (type === 'AAAA' && target !== 'droplets' && isIP(target) !== 6) {
      problem('target', 'must be droplets or an IPv6 address for an AAAA record');
    }
    if (type === 'CNAME') {
      if (record.name === '@') problem('name', 'cannot be @: DNS allows no CNAME at the domain itself');
      if (
        target !== 'app' &&
        target !== '@' &&
        !domainNameSchema.safeParse(target.replace(/\.$/, '')).success
      ) {
        problem('target', 'must be app or a host name for a CNAME record');
      }
    }
  });

/** An AAAA record the tool fills with the droplets' public IPv6 addresses. */
export function isDropletIpv6Record(record: { type: string; target: string }): boolean {
  return record.type === 'AAAA' && record.target === 'droplets';
}

export const domainSectionSchema = z.strictObject({
  name: domainNameSchema,
  ttl: ttlSchema.optional(),
  records: z.array(recordSchema).default(() => []),
});

function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, ...extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isPortSpec(value: string): boolean {
  if (value === 'all') return true;
  const [low, high, ...extra] = value
    .split('-')
    .map((part) => (/^\d{1,5}$/.test(part) ? Number(part) : Number.NaN));
  const isPort = (port: number | undefined) => port !== undefined && port >= 1 && port <= 65535;
  if (extra.length > 0 || !isPort(low)) return false;
  return high === undefined || (isPort(high) && high > low!);
}

const PORTS_MESSAGE = "must be a port ('80'), a range ('8000-9000') or 'all'";
const portsSchema = z
  .union([z.string(), z.int().transform(String)], customError(PORTS_MESSAGE))
  .refine(isPortSpec, PORTS_MESSAGE);

const targetSchema = z
  .strictObject({
    addresses: z
      .array(z.string().refine(isAddressOrCidr, 'must be an IP address or CIDR such as 0.0.0.0/0 or ::/0'))
      .optional(),
    tags: z.array(tagNameSchema).optional(),
  })
  .refine(
    (target) => (target.addresses?.length ?? 0) + (target.tags?.length ?? 0) > 0,
    'must list at least one address or tag',
  );

const ruleFields = {
  protocol: z.enum(['tcp', 'udp', 'icmp'], customError('must be tcp, udp or icmp')),
  ports: portsSchema.optional(),
};
/** `ports` may be left out for icmp only: DigitalOcean ignores it there. */
const hasPorts = (rule: { protocol: string; ports?: string | undefined }) =>
  rule.protocol === 'icmp' || rule.ports !== undefined;
const portsRequired = {
  path: ['ports'],
  message: 'is required for tcp and udp rules',
  // Checked even when other fields of the rule are wrong, so every problem is listed at once.
  when: (payload: { value: unknown }) => isPlainObject(payload.value),
};
const inboundRuleSchema = z
  .strictObject({ ...ruleFields, sources: targetSchema })
  .refine(hasPorts, portsRequired);
const outboundRuleSchema = z
  .strictObject({ ...ruleFields, destinations: targetSchema })
  .refine(hasPorts, portsRequired);

const allAddresses = () => ({ addresses: ['0.0.0.0/0', '::/0'] });
/**
 * DigitalOcean's API (unlike its control panel) creates a firewall with no outbound rules when none
 * are given, cutting droplets off from the registry; leaving `outbound` out therefore means "allow all".
 */
const openOutbound = () => [
  { protocol: 'tcp' as const, ports: 'all', destinations: allAddresses() },
  { protocol: 'udp' as const, ports: 'all', destinations: allAddresses() },
  { protocol: 'icmp' as const, destinations: allAddresses() },
];

export const firewallSectionSchema = z.strictObject({
  inbound: z.array(inboundRuleSchema).default(() => []),
  outbound: z.array(outboundRuleSchema).default(openOutbound),
});

/** What one environment deploys, overrides merged. */
export const environmentConfigSchema = z.strictObject({
  region: dropletRegionSchema,
  registry: registrySectionSchema.optional(),
  app: appSectionSchema.optional(),
  droplets: dropletsSectionSchema.optional(),
  domain: domainSectionSchema.optional(),
  firewall: firewallSectionSchema.optional(),
});
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
export type RegistrySection = z.output<typeof registrySectionSchema>;
export type AppSection = z.output<typeof appSectionSchema>;
export type DropletsSection = z.output<typeof dropletsSectionSchema>;
export type DomainSection = z.output<typeof domainSectionSchema>;
export type FirewallSection = z.output<typeof firewallSectionSchema>;
export type InboundRule = FirewallSection['inbound'][number];
export type OutboundRule = FirewallSection['outbound'][number];

/** The keys an environment may override. */
export const SECTION_KEYS = Object.keys(environmentConfigSchema.shape) as Array<keyof EnvironmentConfig>;
