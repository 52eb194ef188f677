import { isIP } from 'node:net';
import { OWNER_TAG } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { desiredDroplets, wantsIpv6 } from './desired.js';
import type { ActualDroplets, DesiredDroplets } from './model.js';
import { groupByName, oldestByName } from './plan.js';

const IPV6_HOW_TO = 'https://docs.digitalocean.com/products/networking/ipv6/how-to/enable/';

/**
 * DigitalOcean's API reference: "When enabling IPv6 on an existing Droplet, additional OS-level
 * configuration is required." Droplets created with IPv6 are configured at first boot; these are not.
 */
function ipv6Later(actual: ActualDroplets | undefined, desired: DesiredDroplets | undefined): string[] {
  if (!actual || !desired?.ipv6) return [];
  const byName = oldestByName(actual.owned);
  const without = desired.names.filter((n) => byName.has(n) && byName.get(n)!.ipv6 !== true);
  if (without.length === 0) return [];
  return [
    `Droplet(s) ${without.join(', ')} were created without IPv6: deploy turns it on with DigitalOcean's enable_ipv6 action (no restart), ` +
      `but DigitalOcean does not configure the new address inside a running droplet (${IPV6_HOW_TO}), so until that is done, or the droplets ` +
      'are replaced (a new image, user_data or SSH key makes new droplets, created with IPv6), they may not answer on the AAAA addresses.',
  ];
}

/** The firewall applies to the droplets by tag: without an IPv6 source, AAAA clients are turned away. */
function ipv6Blocked(deployment: Deployment): string[] {
  const inbound = deployment.firewall?.inbound;
  if (!inbound || !wantsIpv6(deployment)) return [];
  const v6 = inbound.some((rule) => (rule.sources.addresses ?? []).some((a) => isIP(a.split('/')[0]!) === 6));
  if (v6) return [];
  return [
    "The droplets get IPv6, but no firewall.inbound rule admits an IPv6 source: add '::/0' (or your IPv6 " +
      'ranges) to the sources of the rules that should answer on the AAAA addresses.',
  ];
}

/**
 * Images the cloud-init the tool writes works on: Docker-ready ones (DigitalOcean's Docker 1-Click,
 * `docker-20-04`), and Debian or Ubuntu, where it installs Docker with apt.
 */
const DOCKER_OR_APT_IMAGE = /^(docker|debian|ubuntu)-/;

/**
 * Pure: look-alikes (never touched), duplicate names, a cloud-init that cannot work, and IPv6 about
 * to be turned on in running droplets.
 */
export function dropletWarnings(
  actual: ActualDroplets | undefined,
  deployment: Deployment,
  desired?: DesiredDroplets,
): string[] {
  const warnings: string[] = [];
  const slug = deployment.slug;
  for (const { droplet: d, why } of actual?.lookalikes ?? []) {
    warnings.push(
      why === 'tag'
        ? `Droplet ${d.name} (${d.id}) carries the tag ${slug} but not ${OWNER_TAG}: it is not managed by this tool and is left alone.`
        : `Droplet ${d.name} (${d.id}) is named like a droplet of ${slug} but does not carry its tags: it is not managed by this tool and is left alone; rename it to avoid confusion.`,
    );
  }
  for (const [name, group] of groupByName(actual?.owned ?? [])) {
    if (group.length < 2) continue;
    warnings.push(
      `${group.length} owned droplets are named ${name} (ids ${group.map((d) => d.id).join(', ')}): the oldest is kept and the others are deleted.`,
    );
  }
  const section = deployment.droplets;
  if (section && section.user_data === undefined && !DOCKER_OR_APT_IMAGE.test(section.image)) {
    warnings.push(
      `droplets.image ${section.image} is neither Docker-ready (such as docker-20-04, DigitalOcean's Docker 1-Click) nor Debian or Ubuntu: where Docker is missing, the cloud-init this tool writes installs it with apt, so give droplets.user_data of your own or a Docker-ready image.`,
    );
  }
  const wanted = desired ?? (wantsIpv6(deployment) ? desiredDroplets(deployment) : undefined);
  warnings.push(...ipv6Later(actual, wanted), ...ipv6Blocked(deployment));
  return warnings;
}
