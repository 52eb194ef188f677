/**
 * Fitting an app spec to one deployment: the app is named after the deployment (apps are owned by
 * exact name), takes the deployment's region unless the spec chose one, the manifest's `app.image`
 * sets the image of the components that use that repository, and the host names its DNS records
 * point at the app join the spec's domains (app-domains.ts).
 */
import type { Problem } from '../errors.js';
import { appDomainProblems, appHosts, withAppDomains } from './app-domains.js';
import { type AppComponent, type AppSpec, componentsOf } from './app-spec.js';
import type { RegistryType } from './image.js';
import type { DomainSection } from './manifest-schema.js';
import type { AppRegion } from './regions.js';

export interface AppImage {
  repository: string;
  registry_type: RegistryType;
  registry?: string | undefined;
  tag?: string | undefined;
}

export interface AppBinding {
  /** The manifest's `name`, which a shared spec may use as its own name. */
  baseName: string;
  slug: string;
  region: AppRegion;
  image?: AppImage | undefined;
  /** The deployment's domain: its records with `target: app` add their host names to the spec. */
  domain?: DomainSection | undefined;
}

function usesImage(component: AppComponent, image: AppImage): boolean {
  const source = component.image;
  return (
    source?.repository === image.repository &&
    source.registry_type === image.registry_type &&
    (source.registry ?? '') === (image.registry ?? '')
  );
}

/** What prevents binding, with paths in the manifest. */
export function appBindingProblems(spec: AppSpec, binding: AppBinding, specFile: string): Problem[] {
  const problems: Problem[] = [];
  const { name } = spec;
  if (name !== undefined && name !== binding.baseName && name !== binding.slug) {
    problems.push({
      path: 'app.spec',
      message:
        `${specFile} names the app "${name}"; leave the name out or use "${binding.baseName}" or ` +
        `"${binding.slug}": the tool names the app <name>-<environment> because it owns apps by exact name`,
    });
  }
  const { image } = binding;
  if (image && !componentsOf(spec).some(({ component }) => usesImage(component, image))) {
    problems.push({
      path: 'app.image.repository',
      message:
        `no component in ${specFile} uses repository "${image.repository}" (${image.registry_type}` +
        `${image.registry ? ` from ${image.registry}` : ''}), so the image would change nothing`,
    });
  }
  problems.push(...appDomainProblems(spec, binding.domain, specFile));
  return problems;
}

/** A tag from the manifest replaces the spec's tag or digest; without one the spec's choice stands. */
function withImage<C extends AppComponent>(component: C, image: AppImage): C {
  if (image.tag === undefined || !component.image || !usesImage(component, image)) return component;
  const { digest: _replaced, ...source } = component.image;
  return { ...component, image: { ...source, tag: image.tag } };
}

/** The spec as it is sent for this deployment. Assumes `appBindingProblems` found nothing. */
export function bindAppSpec(spec: AppSpec, binding: AppBinding): AppSpec {
  const bound: AppSpec = withAppDomains(
    { ...spec, name: binding.slug, region: spec.region ?? binding.region },
    appHosts(binding.domain),
  );
  const { image } = binding;
  if (!image) return bound;
  return {
    ...bound,
    ...(spec.services && { services: spec.services.map((component) => withImage(component, image)) }),
    ...(spec.workers && { workers: spec.workers.map((component) => withImage(component, image)) }),
    ...(spec.jobs && { jobs: spec.jobs.map((component) => withImage(component, image)) }),
    ...(spec.static_sites && {
      static_sites: spec.static_sites.map((component) => withImage(component, image)),
    }),
  };
}
