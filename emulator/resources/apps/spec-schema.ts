import { z } from 'zod';

/**
 * The shape of an app spec as App Platform parses it. Objects are loose: fields the emulator does
 * not model (health checks, CORS, alerts, log destinations…) are kept and returned as sent.
 * Cross-field rules (unique names, one source per component, sizes) live in spec-rules.ts.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const NAME_RULE =
  'must be 2 to 32 characters long, start with a lowercase letter, end with a letter or digit, and contain only lowercase letters, digits and dashes';
const ENV_KEY = /^[_A-Za-z][_A-Za-z0-9]*$/;

const requiredText = z.string({
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
});
const name = requiredText.regex(NAME_PATTERN, NAME_RULE);
const port = z.int({ error: 'must be a whole number' }).min(1).max(65535);

const envVar = z.looseObject({
  key: requiredText.regex(
    ENV_KEY,
    'must start with a letter or underscore and contain only letters, digits and underscores',
  ),
  scope: z.enum(['UNSET', 'RUN_TIME', 'BUILD_TIME', 'RUN_AND_BUILD_TIME']).optional(),
  type: z.enum(['GENERAL', 'SECRET']).optional(),
  value: z.string().optional(),
});

const repoSource = z.looseObject({
  repo: z.string().optional(),
  branch: z.string().optional(),
  deploy_on_push: z.boolean().optional(),
});
const gitSource = z.looseObject({ repo_clone_url: z.string().optional(), branch: z.string().optional() });

const imageSource = z.looseObject({
  registry: z.string().optional(),
  registry_type: z.enum(['DOCKER_HUB', 'DOCR', 'GHCR']).optional(),
  registry_credentials: z.string().optional(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  deploy_on_push: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

const route = z.looseObject({ path: z.string().optional(), preserve_path_prefix: z.boolean().optional() });

const componentBase = {
  name,
  git: gitSource.optional(),
  github: repoSource.optional(),
  gitlab: repoSource.optional(),
  bitbucket: repoSource.optional(),
  image: imageSource.optional(),
  dockerfile_path: z.string().optional(),
  build_command: z.string().optional(),
  run_command: z.string().optional(),
  source_dir: z.string().optional(),
  envs: z.array(envVar).optional(),
  environment_slug: z.string().optional(),
};

const instances = {
  instance_count: z.int({ error: 'must be a whole number' }).optional(),
  instance_size_slug: z.string().optional(),
};

const service = z.looseObject({
  ...componentBase,
  ...instances,
  http_port: port.optional(),
  internal_ports: z.array(port).optional(),
  routes: z.array(route).optional(),
});
const worker = z.looseObject({ ...componentBase, ...instances });
const job = z.looseObject({
  ...componentBase,
  ...instances,
  kind: z.enum(['UNSPECIFIED', 'PRE_DEPLOY', 'POST_DEPLOY', 'FAILED_DEPLOY']).optional(),
});
const staticSite = z.looseObject({ ...componentBase, routes: z.array(route).optional() });
const fn = z.looseObject({
  name,
  git: gitSource.optional(),
  github: repoSource.optional(),
  gitlab: repoSource.optional(),
  bitbucket: repoSource.optional(),
  source_dir: z.string().optional(),
  envs: z.array(envVar).optional(),
  routes: z.array(route).optional(),
});
const database = z.looseObject({
  name,
  engine: z.enum(['UNSET', 'MYSQL', 'PG', 'REDIS', 'MONGODB', 'KAFKA', 'OPENSEARCH', 'VALKEY']).optional(),
});
const domain = z.looseObject({
  domain: requiredText
    .max(253)
    .regex(/^((xn--)?[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\.)+[a-zA-Z]{2,}\.?$/, 'must be a valid hostname'),
  type: z.enum(['UNSPECIFIED', 'DEFAULT', 'PRIMARY', 'ALIAS']).optional(),
  wildcard: z.boolean().optional(),
  zone: z.string().optional(),
});
const ingressRule = z.looseObject({
  match: z.looseObject({ path: z.looseObject({ prefix: z.string().optional() }).optional() }).optional(),
  component: z
    .looseObject({
      name: z.string().optional(),
      preserve_path_prefix: z.boolean().optional(),
      rewrite: z.string().optional(),
    })
    .optional(),
});

export const appSpecSchema = z.looseObject({
  name,
  region: z.string().optional(),
  envs: z.array(envVar).optional(),
  services: z.array(service).optional(),
  workers: z.array(worker).optional(),
  jobs: z.array(job).optional(),
  static_sites: z.array(staticSite).optional(),
  functions: z.array(fn).optional(),
  databases: z.array(database).optional(),
  domains: z.array(domain).optional(),
  ingress: z.looseObject({ rules: z.array(ingressRule).optional() }).optional(),
});

export type AppSpec = z.infer<typeof appSpecSchema>;
export type EnvVar = z.infer<typeof envVar>;
export type ImageSource = z.infer<typeof imageSource>;
export type ServiceSpec = z.infer<typeof service>;
export type RouteSpec = z.infer<typeof route>;
