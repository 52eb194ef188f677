import type { AppSpec, EnvVar, ImageSource, RouteSpec } from './spec-schema.js';

export type ComponentKind = 'service' | 'worker' | 'job' | 'static_site' | 'function';

/** The fields every component kind may carry (the rest of a component is kept as sent). */
export interface ComponentSpec {
  name: string;
  image?: ImageSource;
  envs?: EnvVar[];
  instance_count?: number;
  instance_size_slug?: string;
  http_port?: number;
  routes?: RouteSpec[];
  git?: { repo_clone_url?: string; branch?: string };
  github?: { repo?: string; branch?: string };
  gitlab?: { repo?: string; branch?: string };
  bitbucket?: { repo?: string; branch?: string };
  [key: string]: unknown;
}

export interface Component {
  kind: ComponentKind;
  /** The spec list it sits in (`services`, `static_sites`, …), also the deployment list name. */
  list: 'services' | 'workers' | 'jobs' | 'static_sites' | 'functions';
  name: string;
  spec: ComponentSpec;
}

const LISTS = [
  ['services', 'service'],
  ['workers', 'worker'],
  ['jobs', 'job'],
  ['static_sites', 'static_site'],
  ['functions', 'function'],
] as const;

export function componentsOf(spec: AppSpec): Component[] {
  const out: Component[] = [];
  for (const [list, kind] of LISTS) {
    for (const component of (spec[list] ?? []) as ComponentSpec[]) {
      out.push({ kind, list, name: component.name, spec: component });
    }
  }
  return out;
}

export function findComponent(spec: AppSpec, name: string): Component | undefined {
  return componentsOf(spec).find((c) => c.name === name);
}

/** Components that run containers: the ones with instances, a console and run logs. */
export function hasInstances(kind: ComponentKind): boolean {
  return kind === 'service' || kind === 'worker' || kind === 'job';
}

export const KIND_WORDS: Record<ComponentKind, string> = {
  service: 'service',
  worker: 'worker',
  job: 'job',
  static_site: 'static site',
  function: 'function',
};

/** `repository:tag` or `repository@digest`: the string build fault rules and the registry match. */
export function imageRef(image: ImageSource): string {
  const repository = image.repository ?? '';
  return image.digest ? `${repository}@${image.digest}` : `${repository}:${image.tag ?? 'latest'}`;
}

/** What a component runs, for logs and the live URL: its image, or its repository and branch. */
export function sourceLabel(component: ComponentSpec): string {
  if (component.image) return imageRef(component.image);
  const repo = component.github ?? component.gitlab ?? component.bitbucket;
  if (repo) return `${repo.repo ?? ''}@${repo.branch ?? 'main'}`;
  if (component.git) return `${component.git.repo_clone_url ?? ''}@${component.git.branch ?? 'main'}`;
  return 'unknown source';
}

function appliesAtRunTime(env: EnvVar): boolean {
  return env.scope !== 'BUILD_TIME';
}

/**
 * The environment a component's containers see: app-level envs, then the component's own (which
 * win), run-time scoped only. Secrets are included only when asked (the console is inside the
 * container; the live URL is public).
 */
export function runtimeEnv(
  spec: AppSpec,
  component: ComponentSpec,
  withSecrets: boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const list of [spec.envs ?? [], component.envs ?? []]) {
    for (const variable of list) {
      if (!appliesAtRunTime(variable)) continue;
      if (variable.type === 'SECRET' && !withSecrets) {
        delete env[variable.key];
        continue;
      }
      env[variable.key] = variable.value ?? '';
    }
  }
  return env;
}
