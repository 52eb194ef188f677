import { notFound } from '../../core/http-error.js';
import type { EmuCore } from '../../core/types.js';
import { INSTANCE_SIZES, REGIONS } from './catalog.js';

/** GET /v2/apps/regions, /v2/apps/tiers/instance_sizes and /v2/apps/tiers/instance_sizes/:slug. */
export function registerCatalogRoutes(core: EmuCore): void {
  core.route('GET', '/v2/apps/regions', () => ({ status: 200, body: { regions: REGIONS } }));
  core.route('GET', '/v2/apps/tiers/instance_sizes', () => ({
    status: 200,
    body: { instance_sizes: INSTANCE_SIZES, discount_percent: 0 },
  }));
  core.route('GET', '/v2/apps/tiers/instance_sizes/:slug', (req) => {
    const size = INSTANCE_SIZES.find((s) => s.slug === req.params.slug);
    if (!size) throw notFound();
    return { status: 200, body: { instance_size: size } };
  });
}
