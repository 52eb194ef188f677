/**
 * Region slugs. Droplets and registries use datacenter slugs (`nyc3`); App Platform uses the
 * city (`nyc`), so a deployment's one region is translated for its app.
 */
import * as z from 'zod';
import { customError } from './input.js';

export const DROPLET_REGIONS = [
  'nyc1',
  'nyc2',
  'nyc3',
  'sfo1',
  'sfo2',
  'sfo3',
  'ams2',
  'ams3',
  'sgp1',
  'lon1',
  'fra1',
  'tor1',
  'blr1',
  'syd1',
  'atl1',
] as const;
export type DropletRegion = (typeof DROPLET_REGIONS)[number];

/** `app_spec.region` in the OpenAPI spec. */
export const APP_REGIONS = ['atl', 'nyc', 'sfo', 'tor', 'ams', 'fra', 'lon', 'blr', 'sgp', 'syd'] as const;
export type AppRegion = (typeof APP_REGIONS)[number];

/** `registry_create.region` in the OpenAPI spec: the container registry exists in fewer places. */
export const REGISTRY_REGIONS = ['nyc3', 'sfo3', 'sfo2', 'ams3', 'sgp1', 'fra1', 'blr1', 'syd1'] as const;
export type RegistryRegion = (typeof REGISTRY_REGIONS)[number];

export const APP_REGION_BY_DROPLET_REGION: Readonly<Record<DropletRegion, AppRegion>> = {
  nyc1: 'nyc',
  nyc2: 'nyc',
  nyc3: 'nyc',
  sfo1: 'sfo',
  sfo2: 'sfo',
  sfo3: 'sfo',
  ams2: 'ams',
  ams3: 'ams',
  sgp1: 'sgp',
  lon1: 'lon',
  fra1: 'fra',
  tor1: 'tor',
  blr1: 'blr',
  syd1: 'syd',
  atl1: 'atl',
};

export function isDropletRegion(value: string): value is DropletRegion {
  return (DROPLET_REGIONS as readonly string[]).includes(value);
}

export function isRegistryRegion(value: string): value is RegistryRegion {
  return (REGISTRY_REGIONS as readonly string[]).includes(value);
}

export function appRegionOf(region: DropletRegion): AppRegion {
  return APP_REGION_BY_DROPLET_REGION[region];
}

export const dropletRegionSchema = z.enum(
  DROPLET_REGIONS,
  customError(`must be a DigitalOcean region slug: one of ${DROPLET_REGIONS.join(', ')}`),
);
export const appRegionSchema = z.enum(
  APP_REGIONS,
  customError(`must be an App Platform region: one of ${APP_REGIONS.join(', ')}`),
);
export const registryRegionSchema = z.enum(
  REGISTRY_REGIONS,
  customError(`must be a container registry region: one of ${REGISTRY_REGIONS.join(', ')}`),
);
