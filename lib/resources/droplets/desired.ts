import { createHash } from 'node:crypto';
import { ownershipTags } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { isDropletIpv6Record } from '../../config/manifest-schema.js';
import { publicKeyFingerprint } from '../ssh-key/fingerprint.js';
import { cloudInitSpec, renderCloudInit } from './cloud-init.js';
import type { DesiredDroplets, UserDataSource } from './model.js';
import { dropletGeneration, generationDropletName } from './names.js';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

type WithDroplets = Deployment & { droplets: NonNullable<Deployment['droplets']> };

function userDataOf(deployment: WithDroplets): UserDataSource {
  const own = deployment.droplets.user_data;
  if (own !== undefined) return { source: 'manifest', text: own, sha256: sha256(own) };
  const spec = cloudInitSpec(deployment);
  const template = renderCloudInit(spec);
  return { source: 'tool', spec, template, sha256: sha256(template) };
}

/** droplets.ipv6 when given; otherwise whether an AAAA record points at the droplets. */
export function wantsIpv6(deployment: Deployment): boolean {
  return deployment.droplets?.ipv6 ?? (deployment.domain?.records ?? []).some(isDropletIpv6Record);
}

/**
 * The droplets the manifest asks for; undefined without a droplets section. Pure. IPv6 is not part
 * of the generation: running droplets get it through an action, so turning it on replaces nothing.
 */
export function desiredDroplets(deployment: Deployment): DesiredDroplets | undefined {
  if (!deployment.droplets) return undefined;
  const section = deployment.droplets;
  const userData = userDataOf(deployment as WithDroplets);
  const sshKeyFingerprint = publicKeyFingerprint(section.ssh_key.public_key);
  const generation = dropletGeneration({
    image: section.image,
    region: section.region,
    userDataSha256: userData.sha256,
    sshKeyFingerprint,
  });
  return {
    slug: deployment.slug,
    count: section.count,
    size: section.size,
    image: section.image,
    region: section.region,
    tags: ownershipTags(deployment.slug),
    sshKeyFingerprint,
    generation,
    names: Array.from({ length: section.count }, (_, i) =>
      generationDropletName(deployment.slug, generation, i + 1),
    ),
    userData,
    health: { port: section.health.port, path: section.health.path },
    ipv6: wantsIpv6(deployment),
  };
}
