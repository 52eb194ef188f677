import { findRegion, sizeFacts } from './catalog.js';
import { type Component, componentsOf, hasInstances } from './components.js';
import type { AppSpec, EnvVar, ImageSource } from './spec-schema.js';

/**
 * One spec problem: DigitalOcean reports the first it finds (digitalocean/godo#415), naming the
 * field without indexes. The wording of each message is the emulator's own; clients read the status.
 */
export interface SpecProblem {
  path: string;
  message: string;
}

const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const SOURCES = ['git', 'github', 'gitlab', 'bitbucket', 'image'] as const;

/** The rules zod's shape cannot express, in the order App Platform applies them. */
export function firstSpecProblem(spec: AppSpec): SpecProblem | undefined {
  if (spec.region !== undefined && !findRegion(spec.region)) {
    return { path: 'region', message: `invalid region "${spec.region}"` };
  }
  const components = componentsOf(spec);
  if (components.length === 0) {
    return {
      path: 'services',
      message: 'an app must have at least one service, worker, job, static site or function',
    };
  }
  return (
    duplicateName(spec, components) ??
    firstOf(components, componentProblem) ??
    envProblem('envs', spec.envs) ??
    domainProblem(spec) ??
    ingressProblem(spec, components)
  );
}

function firstOf<T>(items: T[], check: (item: T) => SpecProblem | undefined): SpecProblem | undefined {
  for (const item of items) {
    const problem = check(item);
    if (problem) return problem;
  }
  return undefined;
}

function duplicateName(spec: AppSpec, components: Component[]): SpecProblem | undefined {
  const seen = new Set<string>();
  const named = [
    ...components.map((c) => ({ list: c.list as string, name: c.name })),
    ...(spec.databases ?? []).map((d) => ({ list: 'databases', name: d.name })),
  ];
  for (const { list, name } of named) {
    if (seen.has(name)) {
      return { path: `${list}.name`, message: `component name "${name}" is used by more than one component` };
    }
    seen.add(name);
  }
  return undefined;
}

function componentProblem(component: Component): SpecProblem | undefined {
  const { list, spec } = component;
  const sources = SOURCES.filter((s) => spec[s] !== undefined);
  if (sources.length !== 1 || (component.kind === 'function' && sources[0] === 'image')) {
    const allowed =
      component.kind === 'function'
        ? 'git, github, gitlab or bitbucket'
        : 'git, github, gitlab, bitbucket or image';
    return { path: list, message: `component "${component.name}" must have exactly one source (${allowed})` };
  }
  if (spec.image) {
    const problem = imageProblem(`${list}.image`, spec.image);
    if (problem) return problem;
  }
  if (hasInstances(component.kind)) {
    const problem = instanceProblem(component);
    if (problem) return problem;
  }
  for (const route of spec.routes ?? []) {
    if (route.path !== undefined && !route.path.startsWith('/')) {
      return { path: `${list}.routes.path`, message: `route path "${route.path}" must start with /` };
    }
  }
  return envProblem(`${list}.envs`, spec.envs);
}

function imageProblem(path: string, image: ImageSource): SpecProblem | undefined {
  if (!image.registry_type) return { path: `${path}.registry_type`, message: 'registry_type is required' };
  if (!image.repository) return { path: `${path}.repository`, message: 'repository is required' };
  if (!REPOSITORY.test(image.repository)) {
    return { path: `${path}.repository`, message: `invalid repository name "${image.repository}"` };
  }
  if (image.registry_type === 'DOCR' && image.registry) {
    return { path: `${path}.registry`, message: 'registry must be empty for DOCR images' };
  }
  if (image.tag !== undefined && image.digest !== undefined) {
    return { path: `${path}.tag`, message: 'only one of tag or digest may be specified' };
  }
  if (image.tag !== undefined && !TAG.test(image.tag)) {
    return { path: `${path}.tag`, message: `invalid tag "${image.tag}"` };
  }
  if (image.digest !== undefined && !DIGEST.test(image.digest)) {
    return { path: `${path}.digest`, message: 'digest must have the form sha256:<64 hexadecimal digits>' };
  }
  if (image.deploy_on_push?.enabled && (image.registry_type !== 'DOCR' || image.digest !== undefined)) {
    return {
      path: `${path}.deploy_on_push`,
      message: 'deploy_on_push is only supported for DOCR images referenced by tag',
    };
  }
  return undefined;
}

function instanceProblem(component: Component): SpecProblem | undefined {
  const { list, spec } = component;
  const count = spec.instance_count;
  // The spec documents a minimum of 1 and no maximum for instance_count (250 is the ceiling of
  // autoscaling's max_instance_count), so none is invented here.
  if (count !== undefined && count < 1)
    return { path: `${list}.instance_count`, message: 'must be at least 1' };
  const slug = spec.instance_size_slug;
  if (slug === undefined) return undefined;
  const facts = sizeFacts(slug);
  if (!facts) return { path: `${list}.instance_size_slug`, message: `invalid instance size "${slug}"` };
  if (facts.singleInstanceOnly && (count ?? 1) > 1) {
    return {
      path: `${list}.instance_count`,
      message: `instance size "${slug}" does not support more than one instance`,
    };
  }
  return undefined;
}

function envProblem(path: string, envs: EnvVar[] | undefined): SpecProblem | undefined {
  const keys = new Set<string>();
  for (const env of envs ?? []) {
    if (keys.has(env.key))
      return { path: `${path}.key`, message: `duplicate environment variable "${env.key}"` };
    keys.add(env.key);
  }
  return undefined;
}

function domainProblem(spec: AppSpec): SpecProblem | undefined {
  const names = new Set<string>();
  let primaries = 0;
  for (const domain of spec.domains ?? []) {
    const name = domain.domain.toLowerCase().replace(/\.$/, '');
    if (names.has(name)) return { path: 'domains.domain', message: `duplicate domain "${domain.domain}"` };
    names.add(name);
    if (domain.type === 'PRIMARY') primaries++;
  }
  return primaries > 1 ? { path: 'domains.type', message: 'only one domain may be PRIMARY' } : undefined;
}

function ingressProblem(spec: AppSpec, components: Component[]): SpecProblem | undefined {
  const names = new Set(components.map((c) => c.name));
  for (const rule of spec.ingress?.rules ?? []) {
    const target = rule.component?.name;
    if (target !== undefined && !names.has(target)) {
      return { path: 'ingress.rules.component.name', message: `component "${target}" does not exist` };
    }
  }
  return undefined;
}
