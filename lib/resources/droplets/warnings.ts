import { OWNER_TAG } from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import type { ActualDroplets } from './model.js';
import { groupByName } from './plan.js';

/** Images whose package manager is apt, which the cloud-init the tool writes relies on. */
const APT_IMAGE = /^(debian|ubuntu)-/;

/** Pure: look-alikes (never touched), duplicate names, and a cloud-init that cannot work. */
export function dropletWarnings(actual: ActualDroplets | undefined, deployment: Deployment): string[] {
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
  if (section && section.user_data === undefined && !APT_IMAGE.test(section.image)) {
    warnings.push(
      `droplets.image ${section.image} is not a Debian or Ubuntu image: the cloud-init this tool writes installs Docker with apt, so give droplets.user_data of your own.`,
    );
  }
  return warnings;
}
