/**
 * The droplets' part of an edit (count, size, image), planned by the droplets module against
 * what runs now. What runs now is the baseline: its count and size are read from the droplets, and
 * its container image is worked out from their generation (which digests it), so an edit changes
 * only what it names — a count edit after an earlier image edit keeps that image.
 */
import type { Deployment } from '../../config/manifest.js';
import type { Problem } from '../../errors.js';
import {
  type ActualDroplets,
  type DesiredDroplets,
  type DropletStep,
  desiredDroplets,
  type ImageRef,
  parseDropletName,
  planDroplets,
  registryImages,
} from '../../resources/droplets/index.js';
import { oldestByName } from '../../resources/droplets/plan.js';
import { retag } from '../deploy/image-override.js';
import type { OpContext } from '../types.js';
import type { ChangeSet } from './input.js';

export interface DropletFields {
  count: number;
  size: string;
  /** The container image the droplets run. */
  image: string;
}

export interface DropletEdit {
  previous: DesiredDroplets;
  next: DesiredDroplets;
  /** The droplets as read for the plan (the droplet limit is checked against them). */
  actual: ActualDroplets;
  /** What apply does now; `deferred` ones (retiring a replaced generation) only once verified. */
  steps: DropletStep[];
  changes: string[];
}

/** The deployment with these droplet fields instead of the manifest's. */
export function withDroplets(deployment: Deployment, fields: DropletFields): Deployment {
  const section = deployment.droplets;
  if (!section) return deployment;
  return {
    ...deployment,
    droplets: {
      ...section,
      count: fields.count,
      size: fields.size,
      container: { ...section.container, image: fields.image },
    },
  };
}

/**
 * The generation made last (the one whose first droplet is the newest: a droplet re-created later
 * in an older generation does not make it newer), with its highest index and its size.
 */
export function currentGeneration(
  actual: ActualDroplets,
): { generation: string; count: number; size: string } | undefined {
  const members = [...oldestByName(actual.owned).values()].flatMap((d) => {
    const parsed = parseDropletName(d.name, actual.slug);
    return parsed ? [{ d, ...parsed }] : [];
  });
  const firstBorn = new Map<string, number>();
  for (const m of members) {
    const at = m.d.createdAt ?? 0;
    firstBorn.set(m.generation, Math.min(firstBorn.get(m.generation) ?? at, at));
  }
  const generation = [...firstBorn].sort(([, a], [, b]) => b - a)[0]?.[0];
  if (!generation) return undefined;
  const ours = members.filter((m) => m.generation === generation).sort((a, b) => a.index - b.index);
  return { generation, count: ours.at(-1)!.index, size: ours[0]!.d.size };
}

const generationOf = (deployment: Deployment, fields: DropletFields) =>
  desiredDroplets(withDroplets(deployment, fields))?.generation;

/**
 * Pure: the fields the droplets run with now, if one of `images` (tags or digests of the manifest's
 * container image) gives their generation; no droplets run with the manifest's, at count 0.
 */
export function dropletBaseline(
  deployment: Deployment,
  actual: ActualDroplets,
  images: readonly ImageRef[],
): DropletFields | undefined {
  const section = deployment.droplets!;
  const current = currentGeneration(actual);
  if (!current) return { count: 0, size: section.size, image: section.container.image };
  const candidates = [
    section.container.image,
    ...images.map((image) => retag(section.container.image, image)),
  ];
  const image = candidates.find((candidate) => {
    const fields = { count: current.count, size: current.size, image: candidate };
    return generationOf(deployment, fields) === current.generation;
  });
  return image === undefined ? undefined : { count: current.count, size: current.size, image };
}

/**
 * The baseline, trying the manifest's image and the app's first, then the images of the droplets'
 * DOCR repository (an earlier edit or deploy may have run any of them).
 */
export async function findDropletBaseline(
  ctx: OpContext,
  deployment: Deployment,
  actual: ActualDroplets,
  hints: readonly ImageRef[],
): Promise<DropletFields | undefined> {
  const known = dropletBaseline(deployment, actual, hints);
  if (known || !deployment.droplets) return known;
  for await (const images of registryImages(ctx, deployment.droplets.container.image)) {
    const found = dropletBaseline(deployment, actual, images);
    if (found) return found;
  }
  return undefined;
}

function describe(before: DropletFields, after: DropletFields): string[] {
  const lines: string[] = [];
  if (before.count !== after.count) lines.push(`droplets.count: ${before.count} → ${after.count}`);
  if (before.size !== after.size) lines.push(`droplets.size: ${before.size} → ${after.size}`);
  if (before.image !== after.image) lines.push(`droplets.container.image: ${before.image} → ${after.image}`);
  return lines;
}

/** Pure: the droplets' edit, or the problem that prevents it. */
export function planDropletEdit(
  deployment: Deployment,
  changes: ChangeSet,
  actual: ActualDroplets,
  baseline: DropletFields | undefined,
): { edit?: DropletEdit; problems: Problem[] } {
  if (!baseline) {
    const generation = currentGeneration(actual)?.generation;
    return {
      problems: [
        {
          path: 'scale.droplets',
          message:
            `the droplets run generation ${generation}, made from no image this tool can find (deployment.yml's, ` +
            "the app's, the registry's), so the edit cannot tell what to keep: run deploy first",
        },
      ],
    };
  }
  const fields: DropletFields = {
    count: changes.droplets.count ?? baseline.count,
    size: changes.droplets.size ?? baseline.size,
    image: changes.image ? retag(baseline.image, changes.image) : baseline.image,
  };
  const previous = desiredDroplets(withDroplets(deployment, baseline))!;
  const next = desiredDroplets(withDroplets(deployment, fields))!;
  const steps = planDroplets(next, actual).filter((s) => s.action !== 'noop');
  return { edit: { previous, next, actual, steps, changes: describe(baseline, fields) }, problems: [] };
}
