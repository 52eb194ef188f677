/**
 * `deployment.yml`: loaded and checked once, every environment at once (so a typo in production is
 * caught while deploying staging), then resolved per environment into a typed `Deployment`.
 */
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { InputError, type Problem } from '../errors.js';
import { appBindingProblems, bindAppSpec } from './app-binding.js';
import { type AppSpec, loadAppSpec } from './app-spec.js';
import { EnvironmentProblems } from './environment-problems.js';
import { type AppProofOptions, deploymentSlug, slugProblem } from './identity.js';
import { DOCR_HOST, docrRegistryOf } from './image.js';
import { friendlyError, joinPath, zodPathProblems, zodProblems } from './input.js';
import {
  type AppSection,
  type DropletsSection,
  type EnvironmentConfig,
  environmentConfigSchema,
  isDropletIpv6Record,
  type RegistrySection,
  SECTION_KEYS,
} from './manifest-schema.js';
import { deepMerge, isPlainObject, type PlainObject } from './merge.js';
import { deploymentNameSchema, environmentNameSchema, isAppName } from './names.js';
import { overriddenBaseProblems } from './overridden-base.js';
import {
  APP_REGION_BY_DROPLET_REGION,
  type DropletRegion,
  isRegistryRegion,
  REGISTRY_REGIONS,
  type RegistryRegion,
} from './regions.js';
import { readYamlFile } from './yaml-file.js';

export interface LoadedApp extends Omit<AppSection, 'spec'> {
  /** The app spec file: the manifest's `app.spec`, joined to the manifest's directory. */
  specFile: string;
  /** As written (variables substituted), before it is fitted to a deployment. */
  spec: AppSpec;
}

export type LoadedEnvironment = Omit<EnvironmentConfig, 'app'> & { app?: LoadedApp | undefined };

export interface Manifest {
  /** The path it was loaded from, as given. */
  file: string;
  name: string;
  environments: Record<string, LoadedEnvironment>;
}

export interface Deployment {
  name: string;
  environment: string;
  /** `<name>-<environment>`: the app's name, the prefix of every resource name, the ownership tag. */
  slug: string;
  region: DropletRegion;
  manifestFile: string;
  registry?: RegistrySection & { region: RegistryRegion };
  /** `spec` here is fitted to the deployment: named after it, in its region, with the manifest's image tag. */
  app?: LoadedApp;
  droplets?: DropletsSection & { region: DropletRegion };
  domain?: EnvironmentConfig['domain'];
  firewall?: EnvironmentConfig['firewall'];
  /** The port exec reaches the droplets' SSH on (DO_SSH_PORT); firewall warnings check it is open. */
  sshPort?: number;
  /** Set by the operation, never by the manifest: the app's proof of ownership and SECRET digests. */
  appProof?: AppProofOptions;
}

const overrideSchema = z
  .strictObject(Object.fromEntries(SECTION_KEYS.map((key) => [key, z.unknown().optional()])))
  .nullable();

/** The top level; the sections themselves are checked per environment, once merged. */
const manifestSchema = z.strictObject({
  name: deploymentNameSchema,
  environments: z
    .record(environmentNameSchema, overrideSchema)
    .refine(
      (environments) => Object.keys(environments).length > 0,
      'define at least one environment, e.g. staging: {}',
    ),
  ...Object.fromEntries(SECTION_KEYS.map((key) => [key, z.unknown().optional()])),
});

function sectionsOf(raw: PlainObject): PlainObject {
  return Object.fromEntries(SECTION_KEYS.filter((key) => key in raw).map((key) => [key, raw[key]]));
}

/** Rules that need a whole environment, or the deployment's name. */
function environmentProblems(name: string, environment: string, config: LoadedEnvironment): Problem[] {
  const problems: Problem[] = [];
  const slug = `${name}-${environment}`;
  if (!isAppName(slug)) problems.push({ path: 'name', message: slugProblem(slug) });
  if (config.registry && !config.registry.region && !isRegistryRegion(config.region)) {
    problems.push({
      path: 'registry.region',
      message: `is required because ${config.region} has no container registry: choose one of ${REGISTRY_REGIONS.join(', ')}`,
    });
  }
  config.domain?.records.forEach((record, index) => {
    const section = record.target === 'app' || record.target === 'droplets' ? record.target : undefined;
    if (section && record.type !== 'TXT' && !config[section]) {
      problems.push({
        path: `domain.records.${index}.target`,
        message: `points at the ${section}, but there is no ${section} section`,
      });
    }
  });
  problems.push(...registryTieProblems(config));
  const aaaa = config.domain?.records.findIndex(isDropletIpv6Record) ?? -1;
  if (config.droplets?.ipv6 === false && aaaa >= 0) {
    problems.push({
      path: 'droplets.ipv6',
      message: `is false, but domain.records.${aaaa} is an AAAA record pointing at the droplets' IPv6 addresses: set it to true (or leave it out), or remove that record`,
    });
  }
  if (config.app) {
    const binding = {
      baseName: name,
      slug,
      region: APP_REGION_BY_DROPLET_REGION[config.region],
      image: config.app.image,
      domain: config.domain,
    };
    problems.push(...appBindingProblems(config.app.spec, binding, config.app.specFile));
  }
  return problems;
}

/**
 * The droplets pull from the manifest's registry: an account has one (its name is the image path),
 * so a `registry.digitalocean.com/<other>/…` image would name a registry the account does not hold.
 */
function registryTieProblems(config: LoadedEnvironment): Problem[] {
  const image = config.droplets?.container.image;
  const pulled = image === undefined ? undefined : docrRegistryOf(image);
  if (!config.registry || pulled === undefined || pulled === config.registry.name) return [];
  const path = image!.slice(DOCR_HOST.length + pulled.length + 2);
  return [
    {
      path: 'droplets.container.image',
      message:
        `pulls from registry "${pulled}", but registry.name is "${config.registry.name}": an account has one registry and ` +
        `its name is the image path, so write ${DOCR_HOST}/${config.registry.name}/${path} (the sample reads both from DO_REGISTRY_NAME)`,
    },
  ];
}

/** A domain is unique in a DigitalOcean account, so two environments cannot both own one. */
function sharedDomainProblems(environments: Record<string, LoadedEnvironment>): Problem[] {
  const users = new Map<string, string[]>();
  for (const [environment, config] of Object.entries(environments)) {
    if (config.domain) users.set(config.domain.name, [...(users.get(config.domain.name) ?? []), environment]);
  }
  return [...users]
    .filter(([, environments]) => environments.length > 1)
    .map(([domain, environments]) => ({
      path: 'domain.name',
      message:
        `${domain} is used by environments ${environments.join(' and ')}; a domain belongs to one deployment, ` +
        `so give each environment its own (e.g. ${environments[0]}.${domain})`,
    }));
}

function failIfAny(subject: string, problems: Problem[]): void {
  if (problems.length > 0) throw new InputError(subject, problems);
}

/** Each app spec file is read once, however many environments use it. */
function loadApps(
  file: string,
  env: Record<string, string | undefined>,
  configs: Record<string, EnvironmentConfig>,
): Record<string, LoadedEnvironment> {
  const specs = new Map<string, AppSpec>();
  const loaded: Record<string, LoadedEnvironment> = {};
  for (const [environment, config] of Object.entries(configs)) {
    if (!config.app) {
      loaded[environment] = { ...config, app: undefined };
      continue;
    }
    const specFile = join(dirname(file), config.app.spec);
    const spec = specs.get(specFile) ?? loadAppSpec(specFile, env);
    specs.set(specFile, spec);
    loaded[environment] = { ...config, app: { ...config.app, specFile, spec } };
  }
  return loaded;
}

/**
 * Read `file` (substituting `${VAR}` from `env`), check every environment, and load the app specs it
 * names. Throws an InputError about the file listing every problem found.
 */
export function loadManifest(file: string, env: Record<string, string | undefined>): Manifest {
  const raw = readYamlFile(file, env, file);
  if (!isPlainObject(raw)) {
    throw new InputError(file, [
      { path: 'manifest', message: 'must be a mapping with name, region and environments' },
    ]);
  }
  const top = manifestSchema.safeParse(raw, { error: friendlyError });
  const overrides = isPlainObject(raw.environments) ? raw.environments : {};
  const names = Object.keys(overrides).filter((name) => environmentNameSchema.safeParse(name).success);
  const merged = new EnvironmentProblems(names.length);
  const configs: Record<string, EnvironmentConfig> = {};
  for (const environment of names) {
    const override = overrides[environment] ?? {};
    if (!isPlainObject(override)) continue;
    const sections = deepMerge(sectionsOf(raw), sectionsOf(override));
    const result = environmentConfigSchema.safeParse(sections, { error: friendlyError });
    if (!result.success) {
      for (const { segments, message } of zodPathProblems(result.error)) {
        merged.add(environment, override, { path: joinPath(segments, 'manifest'), message }, segments);
      }
      continue;
    }
    configs[environment] = result.data;
  }
  const environmentWide = merged.list();
  const unused = overriddenBaseProblems(
    sectionsOf(raw),
    names.map((environment) => overrides[environment]),
    environmentConfigSchema,
  ).filter(
    (problem) => !environmentWide.some((p) => p.path === problem.path && p.message === problem.message),
  );
  failIfAny(file, [
    ...(top.success ? [] : zodProblems(top.error, 'manifest')),
    ...environmentWide,
    ...unused,
  ]);

  const name = raw.name as string;
  const environments = loadApps(file, env, configs);
  const bound = new EnvironmentProblems(names.length);
  for (const [environment, config] of Object.entries(environments)) {
    for (const problem of environmentProblems(name, environment, config)) {
      bound.add(environment, overrides[environment], problem);
    }
  }
  failIfAny(file, [...bound.list(), ...sharedDomainProblems(environments)]);
  return { file, name, environments };
}

/**
 * One environment of a loaded manifest, ready to deploy. Pure: `env.region` (DO_REGION) moves the
 * deployment, while a section that names its own region keeps it.
 */
export function resolveDeployment(
  manifest: Manifest,
  environment: string,
  env: { region?: DropletRegion | undefined; ssh?: { port: number } } = {},
): Deployment {
  const config = manifest.environments[environment];
  if (!config) {
    const known = Object.keys(manifest.environments).join(', ');
    throw new InputError('The deployment', [
      {
        path: 'env',
        message: `"${environment}" is not an environment of ${manifest.file}: choose one of ${known}`,
      },
    ]);
  }
  const slug = deploymentSlug(manifest.name, environment);
  const region = env.region ?? config.region;
  const { registry, app, droplets } = config;
  return {
    name: manifest.name,
    environment,
    slug,
    region,
    manifestFile: manifest.file,
    // The registry is the account's, shared by environments, so it stays where the manifest put it.
    ...(registry && {
      registry: { ...registry, region: registry.region ?? (config.region as RegistryRegion) },
    }),
    ...(app && {
      app: {
        ...app,
        spec: bindAppSpec(app.spec, {
          baseName: manifest.name,
          slug,
          region: APP_REGION_BY_DROPLET_REGION[region],
          image: app.image,
          domain: config.domain,
        }),
      },
    }),
    ...(droplets && { droplets: { ...droplets, region: droplets.region ?? region } }),
    ...(config.domain && { domain: config.domain }),
    ...(config.firewall && { firewall: config.firewall }),
    ...(env.ssh && { sshPort: env.ssh.port }),
  };
}
