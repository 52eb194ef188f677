import { badRequest, conflict, unprocessable } from '../../core/http-error.js';
import type { EmuRequest } from '../../core/types.js';
import type { RegistryContext, RegistryInfo } from './context.js';
import { REGISTRY_NAME } from './taken-names.js';
import { ineligibility, isTierSlug, REGIONS, TIERS } from './tiers.js';

const INVALID_NAME = 'name must be 1 to 63 lowercase letters, digits and dashes';
/** The host every DigitalOcean registry is reached at (`registry.digitalocean.com/<registry>/<repo>`). */
export const REGISTRY_HOST = 'registry.digitalocean.com';

/** `/v2/registry` itself, its subscription, Docker credentials, name validation and options. */
export function registerRegistryRoutes(ctx: RegistryContext): void {
  const { core, images, holder, taken } = ctx;
  /** Global names: the account's own registry holds its name as much as another customer does. */
  const isTaken = (name: string) => holder.registry?.name === name || taken.has(name);
  const iso = (ms: number) => core.clock.iso(ms);
  const subscriptionJson = (r: RegistryInfo) => ({
    tier: TIERS[r.tier],
    created_at: iso(r.subscriptionCreatedAt),
    updated_at: iso(r.subscriptionUpdatedAt),
  });
  const registryJson = (r: RegistryInfo) => ({
    name: r.name,
    created_at: iso(r.createdAt),
    region: r.region,
    storage_usage_bytes: images.storageBytes(),
    storage_usage_bytes_updated_at: iso(Math.max(images.storageUpdatedAt, r.createdAt)),
    subscription: subscriptionJson(r),
  });

  ctx.route('GET', '/v2/registry', () => ({
    status: 200,
    body: { registry: registryJson(ctx.requireRegistry()) },
  }));

  ctx.route('POST', '/v2/registry', (req) => {
    const body = bodyOf(req);
    const name = body.name;
    if (typeof name !== 'string' || !REGISTRY_NAME.test(name)) throw unprocessable(INVALID_NAME);
    if (!isTierSlug(body.subscription_tier_slug))
      throw unprocessable(`subscription_tier_slug must be one of ${Object.keys(TIERS).join(', ')}`);
    const region = body.region ?? REGIONS[0];
    if (typeof region !== 'string' || !REGIONS.includes(region))
      throw unprocessable(`region must be one of ${REGIONS.join(', ')}`);
    // The name is checked before the one-per-account rule: a create with the account's own name
    // answers 409, one with a free name 422 (nebari-dev/nebari#265 quotes both).
    if (isTaken(name)) throw conflict('name already exists');
    if (holder.registry) throw unprocessable('user already has a registry');
    const now = core.clock.now();
    const registry: RegistryInfo = {
      name,
      region,
      createdAt: now,
      tier: body.subscription_tier_slug,
      subscriptionCreatedAt: now,
      subscriptionUpdatedAt: now,
    };
    holder.registry = registry;
    images.clear();
    ctx.gc.clear();
    return { status: 201, body: { registry: registryJson(registry) } };
  });

  ctx.route('DELETE', '/v2/registry', () => {
    ctx.requireRegistry();
    holder.registry = undefined;
    images.clear();
    ctx.gc.clear();
    return { status: 204 };
  });

  ctx.route('GET', '/v2/registry/subscription', () => ({
    status: 200,
    body: { subscription: subscriptionJson(ctx.requireRegistry()) },
  }));

  ctx.route('POST', '/v2/registry/subscription', (req) => {
    const registry = ctx.requireRegistry();
    const slug = bodyOf(req).tier_slug;
    if (!isTierSlug(slug)) throw unprocessable(`tier_slug must be one of ${Object.keys(TIERS).join(', ')}`);
    const reasons = ineligibility(TIERS[slug], images.repositories.size, images.storageBytes());
    if (reasons.length > 0)
      throw unprocessable(`the registry is not eligible for the ${slug} tier: ${reasons.join(', ')}`);
    if (slug !== registry.tier) {
      registry.tier = slug;
      registry.subscriptionUpdatedAt = core.clock.now();
    }
    return { status: 200, body: { subscription: subscriptionJson(registry) } };
  });

  // A Docker config.json for the registry host. The credentials are a registry token of the
  // emulator's own, never the API token: DigitalOcean issues separate registry credentials too.
  ctx.route('GET', '/v2/registry/docker-credentials', (req) => {
    ctx.requireRegistry();
    const expiry = req.query.get('expiry_seconds');
    if (expiry !== null && !/^\d+$/.test(expiry))
      throw badRequest('expiry_seconds must be a whole number of seconds');
    const readWrite = req.query.get('read_write') === 'true';
    const token = `emu_docr_${readWrite ? 'rw' : 'ro'}_${core.ids.hex(20)}`;
    const auth = Buffer.from(`${token}:${token}`).toString('base64');
    return { status: 200, body: { auths: { [REGISTRY_HOST]: { auth } } } };
  });

  ctx.route('POST', '/v2/registry/validate-name', (req) => {
    const name = bodyOf(req).name;
    if (typeof name !== 'string' || !REGISTRY_NAME.test(name)) throw unprocessable(INVALID_NAME);
    if (isTaken(name)) throw conflict('name already exists');
    return { status: 204 };
  });

  ctx.route('GET', '/v2/registry/options', () => {
    const repositories = images.repositories.size;
    const storage = images.storageBytes();
    const tiers = Object.values(TIERS).map((tier) => {
      const reasons = ineligibility(tier, repositories, storage);
      return {
        ...tier,
        eligible: reasons.length === 0,
        ...(reasons.length > 0 ? { eligibility_reasons: reasons } : {}),
      };
    });
    return { status: 200, body: { options: { available_regions: REGIONS, subscription_tiers: tiers } } };
  });
}

export function bodyOf(req: EmuRequest): Record<string, unknown> {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
