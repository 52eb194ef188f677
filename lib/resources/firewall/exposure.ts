/**
 * Whether the manifest's firewall lets the tool reach a droplet port. DigitalOcean's Cloud
 * Firewalls drop what no inbound rule allows, and the tool cannot know the public address it
 * connects from, so a port counts as reachable only when a rule opens it to every IPv4 address
 * (the tool connects to the droplets' IPv4 addresses). Sources that are tags, droplets or load
 * balancers are other machines of the account, never the tool.
 */
import { firewallName } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { InboundRule } from '../../config/manifest-schema.js';
import { normalPorts } from './rules.js';

const EVERY_IPV4 = '0.0.0.0/0';

export type Exposure =
  /** No firewall section (the tool manages none), or a rule opens the port to every address. */
  | { open: true }
  /** `sources`: what the rules for the port admit instead (empty: no rule names the port). */
  | { open: false; firewall: string; port: number; sources: string[] };

function coversPort(rule: InboundRule, port: number): boolean {
  if (rule.protocol !== 'tcp') return false;
  const ports = normalPorts('tcp', rule.ports);
  if (ports === 'all') return true;
  const [low, high = low] = ports.split('-').map(Number);
  return low !== undefined && high !== undefined && port >= low && port <= high;
}

/** Pure: can anyone, wherever the tool runs, reach TCP `port` of the deployment's droplets? */
export function portExposure(deployment: Pick<Deployment, 'slug' | 'firewall'>, port: number): Exposure {
  const inbound = deployment.firewall?.inbound;
  if (!inbound) return { open: true };
  const rules = inbound.filter((rule) => coversPort(rule, port));
  if (rules.some((rule) => (rule.sources.addresses ?? []).includes(EVERY_IPV4))) return { open: true };
  const sources = [
    ...new Set(
      rules.flatMap((rule) => [
        ...(rule.sources.addresses ?? []),
        ...(rule.sources.tags ?? []).map((tag) => `tag:${tag}`),
      ]),
    ),
  ];
  return { open: false, firewall: firewallName(deployment.slug), port, sources };
}

/** What a closed port means for whoever connects from elsewhere, in one clause. */
export function describeClosed(exposure: Extract<Exposure, { open: false }>): string {
  const { firewall, port, sources } = exposure;
  return sources.length === 0
    ? `firewall ${firewall} has no inbound rule for tcp port ${port}, so DigitalOcean drops every connection to it`
    : `firewall ${firewall} admits tcp port ${port} only from ${sources.join(', ')}, and drops connections from anywhere else`;
}

/**
 * Pure: warnings for ports the tool itself must reach — the droplets' health port (deploy, edit
 * and maintain check it) and SSH (`exec`, on `sshPort`, DO_SSH_PORT).
 */
export function accessWarnings(deployment: Deployment): string[] {
  const droplets = deployment.droplets;
  if (!droplets || !deployment.firewall) return [];
  const warnings: string[] = [];
  const health = portExposure(deployment, droplets.health.port);
  if (!health.open) {
    warnings.push(
      `The droplets' health check may be blocked: ${describeClosed(health)}. Deploy checks ` +
        `http://<droplet>:${health.port}${droplets.health.path} from wherever it runs, and this tool cannot ` +
        `know its own public address: unless it runs from ${health.sources.length > 0 ? 'one of those sources' : 'inside the firewall'}, ` +
        `verification fails. Add ${EVERY_IPV4} to the sources of an inbound rule for port ${health.port} (and '::/0' for IPv6 clients).`,
    );
  }
  const sshPort = deployment.sshPort ?? 22;
  const ssh = portExposure(deployment, sshPort);
  if (!ssh.open) {
    warnings.push(
      `SSH to the droplets may be blocked: ${describeClosed(ssh)}. exec connects to port ${sshPort} (DO_SSH_PORT) ` +
        `from wherever this tool runs; unless that is ${ssh.sources.length > 0 ? 'one of those sources' : 'inside the firewall'}, ` +
        `it gets no answer. Add ${EVERY_IPV4} (or the address exec runs from) to an inbound rule for port ${sshPort}.`,
    );
  }
  return warnings;
}
