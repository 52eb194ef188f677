/**
 * The environment bootstrap runs in: everything the tool itself needs (lib/config/env.ts), plus
 * where the control plane lives (namespace label and region), validated together so every problem
 * is listed at once before any API call.
 */
import * as z from 'zod';
import { type Env, loadEnv } from '../../lib/config/env.js';
import { friendlyError, zodProblems } from '../../lib/config/input.js';
import { ConfigError, type Problem } from '../../lib/errors.js';

/** The datacenters DigitalOcean Functions runs in. */
export const FUNCTIONS_REGIONS = [
  'nyc1',
  'sfo3',
  'ams3',
  'lon1',
  'fra1',
  'sgp1',
  'tor1',
  'blr1',
  'syd1',
] as const;
export type FunctionsRegion = (typeof FUNCTIONS_REGIONS)[number];

export const DEFAULT_NAMESPACE_LABEL = 'base2-ops';
export const DEFAULT_FUNCTIONS_REGION: FunctionsRegion = 'nyc1';

/** Variables only bootstrap and remote read (documented in .env.example like the rest). */
export const PLANE_VARIABLES = [
  'OPS_NAMESPACE_LABEL',
  'OPS_NAMESPACE_REGION',
  'OPS_RUNTIME',
  'OPS_WEB_URL',
] as const;

export interface PlaneEnv {
  env: Env;
  label: string;
  region: FunctionsRegion;
}

const planeSchema = z.object({
  OPS_NAMESPACE_LABEL: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
      'must be 1-64 letters, digits, - or _, starting with a letter or digit',
    )
    .default(DEFAULT_NAMESPACE_LABEL),
  OPS_NAMESPACE_REGION: z
    .enum(FUNCTIONS_REGIONS, { error: `must be one of ${FUNCTIONS_REGIONS.join(', ')}` })
    .optional(),
});

/**
 * The Functions region nearest a droplet region: same city where Functions runs there
 * (nyc3 → nyc1, sfo2 → sfo3, ams2 → ams3), else the default.
 */
export function functionsRegionFor(dropletRegion: string | undefined): FunctionsRegion {
  if (dropletRegion === undefined) return DEFAULT_FUNCTIONS_REGION;
  const city = dropletRegion.replace(/\d+$/, '');
  return FUNCTIONS_REGIONS.find((region) => region.startsWith(city)) ?? DEFAULT_FUNCTIONS_REGION;
}

/** Validates the tool's environment and the control plane's; one ConfigError lists every problem. */
export function loadPlaneEnv(source: Readonly<Record<string, string | undefined>>, cwd: string): PlaneEnv {
  const problems: Problem[] = [];
  let env: Env | undefined;
  try {
    env = loadEnv({ ...source }, { cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const present = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => key.startsWith('OPS_NAMESPACE_') && value?.trim()),
  );
  const plane = planeSchema.safeParse(present, { error: friendlyError });
  if (!plane.success) problems.push(...zodProblems(plane.error, 'environment'));
  if (problems.length > 0 || env === undefined || !plane.success) {
    throw new ConfigError('The environment', problems, {
      hint: 'Set the variables in .env (see .env.example) or in the process environment.',
    });
  }
  return {
    env,
    label: plane.data.OPS_NAMESPACE_LABEL,
    region: plane.data.OPS_NAMESPACE_REGION ?? functionsRegionFor(env.region),
  };
}

/**
 * The values `${VAR}` in project.yml takes for the functions: the raw environment, with the
 * token, API URL and SSH key as the tool resolved them (the token alias, a key read from
 * DO_SSH_PRIVATE_KEY_FILE) and the web secret bootstrap settled on. Local-only settings (the CA
 * file, the key file, the manifest path) are not among project.yml's references, so they never
 * reach a function.
 */
export function functionSource(
  source: Readonly<Record<string, string | undefined>>,
  env: Env,
  webSecret: string,
): Record<string, string | undefined> {
  return {
    ...source,
    DIGITALOCEAN_TOKEN: env.token,
    DIGITALOCEAN_API_URL: env.apiUrl,
    DO_SSH_PRIVATE_KEY: env.ssh.privateKey,
    OPS_WEB_SECRET: webSecret,
  };
}
