/**
 * DigitalOcean's own app spec format (what `doctl apps spec validate` reads and the API takes), in
 * snake_case. We validate the fields we act on and pass the rest through untouched.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { InputError, type Problem } from '../errors.js';
import { envKeySchema, envValueSchema, httpPathSchema, integerBetween, portSchema } from './fields.js';
import {
  checkImageSource,
  imageDigestSchema,
  imageTagSchema,
  registryTypeSchema,
  repositorySchema,
} from './image.js';
import { customError, friendlyError, zodProblems } from './input.js';
import { isPlainObject } from './merge.js';
import { appNameSchema, componentNameSchema, domainNameSchema } from './names.js';
import { appRegionSchema } from './regions.js';
import { readYamlFile } from './yaml-file.js';

export const COMPONENT_KINDS = ['services', 'workers', 'jobs', 'static_sites'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

const envVarSchema = z.looseObject({
  key: envKeySchema,
  value: envValueSchema.optional(),
  scope: z
    .enum(
      ['UNSET', 'RUN_TIME', 'BUILD_TIME', 'RUN_AND_BUILD_TIME'],
      customError('must be RUN_TIME, BUILD_TIME or RUN_AND_BUILD_TIME'),
    )
    .optional(),
  type: z.enum(['GENERAL', 'SECRET'], customError('must be GENERAL or SECRET')).optional(),
});
export type AppEnvVar = z.output<typeof envVarSchema>;

const imageSourceSchema = z
  .looseObject({
    registry_type: registryTypeSchema,
    registry: z.string().optional(),
    repository: repositorySchema,
    tag: imageTagSchema.optional(),
    digest: imageDigestSchema.optional(),
  })
  .superRefine(checkImageSource);
export type AppImageSource = z.output<typeof imageSourceSchema>;

const sizeSlugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, 'must be a size slug such as apps-s-1vcpu-0.5gb');
const componentFields = {
  name: componentNameSchema,
  image: imageSourceSchema.optional(),
  envs: z.array(envVarSchema).optional(),
};
const instanceFields = {
  instance_count: integerBetween(
    1,
    Number.MAX_SAFE_INTEGER,
    'must be a whole number of instances, at least 1',
  ).optional(),
  instance_size_slug: sizeSlugSchema.optional(),
};
const routeSchema = z.looseObject({ path: httpPathSchema });

const serviceSchema = z.looseObject({
  ...componentFields,
  ...instanceFields,
  http_port: portSchema.optional(),
  internal_ports: z.array(portSchema).optional(),
  health_check: z
    .looseObject({ http_path: httpPathSchema.optional(), port: portSchema.optional() })
    .optional(),
  routes: z.array(routeSchema).optional(),
});
const workerSchema = z.looseObject({ ...componentFields, ...instanceFields });
const jobSchema = z.looseObject({
  ...componentFields,
  ...instanceFields,
  kind: z
    .enum(
      ['UNSPECIFIED', 'PRE_DEPLOY', 'POST_DEPLOY', 'FAILED_DEPLOY'],
      customError('must be PRE_DEPLOY, POST_DEPLOY or FAILED_DEPLOY'),
    )
    .optional(),
});
const staticSiteSchema = z.looseObject({ ...componentFields, routes: z.array(routeSchema).optional() });

const ingressSchema = z.looseObject({
  rules: z
    .array(z.looseObject({ component: z.looseObject({ name: componentNameSchema }).optional() }))
    .optional(),
});
const domainSchema = z.looseObject({
  domain: domainNameSchema,
  type: z
    .enum(['UNSPECIFIED', 'DEFAULT', 'PRIMARY', 'ALIAS'], customError('must be PRIMARY or ALIAS'))
    .optional(),
  zone: domainNameSchema.optional(),
});

export const appSpecSchema = z.looseObject({
  /** Optional here: the tool names the app after the deployment (see app-binding). */
  name: appNameSchema.optional(),
  region: appRegionSchema.optional(),
  envs: z.array(envVarSchema).optional(),
  services: z.array(serviceSchema).optional(),
  workers: z.array(workerSchema).optional(),
  jobs: z.array(jobSchema).optional(),
  static_sites: z.array(staticSiteSchema).optional(),
  ingress: ingressSchema.optional(),
  domains: z.array(domainSchema).optional(),
});
export type AppSpec = z.output<typeof appSpecSchema>;
export type AppComponent = NonNullable<AppSpec[ComponentKind]>[number];

/** App-wide variables the tool writes itself (lib/resources/app/proof.ts). */
export const RESERVED_ENV_KEYS: readonly string[] = ['BASE2_DO_OWNER', 'BASE2_DO_SECRET_DIGESTS'];

/** Component names of a raw (unvalidated) spec, with their paths; malformed entries are skipped. */
function rawComponents(raw: Record<string, unknown>): Array<{ path: string; name: string }> {
  return COMPONENT_KINDS.flatMap((kind) => {
    const list = raw[kind];
    if (!Array.isArray(list)) return [];
    return list.flatMap((component, index) =>
      isPlainObject(component) && typeof component.name === 'string'
        ? [{ path: `${kind}.${index}.name`, name: component.name }]
        : [],
    );
  });
}

/** Rules across components, checked on the raw spec so they come with the field problems. */
function crossProblems(raw: Record<string, unknown>): Problem[] {
  const components = rawComponents(raw);
  const problems: Problem[] = [];
  const hasAny = COMPONENT_KINDS.some((kind) => Array.isArray(raw[kind]) && raw[kind].length > 0);
  if (!hasAny) {
    problems.push({
      path: 'services',
      message: 'the app needs at least one service, worker, job or static site',
    });
  }
  const seen = new Set<string>();
  for (const { path, name } of components) {
    if (seen.has(name))
      problems.push({ path, message: `"${name}" is used twice: component names must be unique` });
    seen.add(name);
  }
  const appWide = Array.isArray(raw.envs) ? raw.envs : [];
  appWide.forEach((env, index) => {
    if (isPlainObject(env) && typeof env.key === 'string' && RESERVED_ENV_KEYS.includes(env.key)) {
      problems.push({
        path: `envs.${index}.key`,
        message: `${env.key} is the tool's own (its proof of ownership and SECRET digests): remove it`,
      });
    }
  });
  const rules = isPlainObject(raw.ingress) && Array.isArray(raw.ingress.rules) ? raw.ingress.rules : [];
  rules.forEach((rule, index) => {
    const target = isPlainObject(rule) && isPlainObject(rule.component) ? rule.component.name : undefined;
    if (typeof target === 'string' && !seen.has(target)) {
      problems.push({
        path: `ingress.rules.${index}.component.name`,
        message: `there is no component named "${target}"`,
      });
    }
  });
  return problems;
}

/** Validate a parsed app spec; `subject` names the file in errors. */
export function parseAppSpec(raw: unknown, subject: string): AppSpec {
  const result = appSpecSchema.safeParse(raw, { error: friendlyError });
  const problems = [
    ...(result.success ? [] : zodProblems(result.error, 'spec')),
    ...(isPlainObject(raw) ? crossProblems(raw) : []),
  ];
  if (problems.length > 0 || !result.success) throw new InputError(subject, problems);
  return result.data;
}

/**
 * Read, substitute (leaving App Platform's bindable variables such as `${APP_URL}` alone) and
 * validate an app spec file.
 */
export function loadAppSpec(path: string, env: Record<string, string | undefined>, subject = path): AppSpec {
  return parseAppSpec(readYamlFile(path, env, subject, { keepBindables: true }), subject);
}

export function componentsOf(spec: AppSpec): Array<{ kind: ComponentKind; component: AppComponent }> {
  return COMPONENT_KINDS.flatMap((kind) => (spec[kind] ?? []).map((component) => ({ kind, component })));
}

/** Values of SECRET variables, app-wide and per component, so loggers can redact them. */
export function secretValuesOf(spec: AppSpec): string[] {
  const lists = [spec.envs ?? [], ...componentsOf(spec).map(({ component }) => component.envs ?? [])];
  const values = lists
    .flat()
    .flatMap((envVar) => (envVar.type === 'SECRET' && envVar.value ? [envVar.value] : []));
  return [...new Set(values)];
}

/** A SECRET value an app spec file publishes itself: a literal, or the default of `${VAR:-default}`. */
export interface PublishedValue {
  value: string;
  /** The variable that replaces the default, when there is one. */
  variable?: string;
}

const WHOLE_DEFAULT = /^\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}\n]*)\}$/;

function publishedOf(raw: unknown): PublishedValue | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const whole = WHOLE_DEFAULT.exec(raw);
  if (whole) return whole[2] ? { value: whole[2], variable: whole[1]! } : undefined;
  // Partly from the environment: not known from the file alone, so not counted as published.
  if (/(^|[^$])\$\{/.test(raw)) return undefined;
  return { value: raw.replaceAll('$${', '${') };
}

/**
 * Pure on the file's text: by SECRET path (`envs.KEY`, `services.web.envs.KEY`), the values the spec
 * file publishes, read before any substitution. Whoever can read the repository knows them, so a
 * SECRET holding one is no secret. A file that cannot be read this way publishes nothing known.
 */
export function publishedSecretValues(path: string): Map<string, PublishedValue> {
  const out = new Map<string, PublishedValue>();
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch {
    return out;
  }
  if (!isPlainObject(raw)) return out;
  const lists: Array<[string, unknown]> = [['envs', raw.envs]];
  for (const kind of COMPONENT_KINDS) {
    const components = raw[kind];
    if (!Array.isArray(components)) continue;
    for (const component of components) {
      if (isPlainObject(component) && typeof component.name === 'string')
        lists.push([`${kind}.${component.name}.envs`, component.envs]);
    }
  }
  for (const [prefix, envs] of lists) {
    if (!Array.isArray(envs)) continue;
    for (const env of envs) {
      if (!isPlainObject(env) || env.type !== 'SECRET' || typeof env.key !== 'string') continue;
      const published = publishedOf(env.value);
      if (published) out.set(`${prefix}.${env.key}`, published);
    }
  }
  return out;
}
