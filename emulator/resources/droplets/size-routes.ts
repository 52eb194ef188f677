import { paginate } from '../../core/paginate.js';
import type { EmuCore } from '../../core/types.js';
import { SIZES, sizeJson } from './catalog.js';

/**
 * GET /v2/sizes: the droplet sizes of the emulator's catalog, each with the regions where new
 * droplets can be created with it and whether it can be ordered at all (spec:sizes_list).
 */
export function registerSizeRoutes(core: EmuCore): void {
  core.route('GET', '/v2/sizes', (req) => ({
    status: 200,
    body: paginate(req, core.baseUrl(), 'sizes', SIZES.map(sizeJson)),
  }));
}
