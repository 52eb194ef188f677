import { badRequest } from '../core/http-error.js';
import type { EmulatorModule } from '../core/types.js';

/**
 * A new account's droplet limit. DigitalOcean raises it once an account is verified or on request,
 * so accounts differ (docs/fidelity.md, account.droplet-limit-default): `--droplet-limit`, the
 * `dropletLimit` option and POST /_emulator/limits set another.
 */
export const DEFAULT_DROPLET_LIMIT = 5;

/** What `POST /_emulator/limits` accepts: a whole number of droplets, 0 or more. */
function dropletLimitOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000) {
    throw badRequest('droplet_limit must be a whole number from 0 to 100000');
  }
  return value;
}

/**
 * GET /v2/account: one team account. `droplet_limit` is the one the droplets module enforces on
 * create; the other limits are shown, not enforced (the tool uses none of what they limit).
 */
export const accountModule: EmulatorModule = {
  name: 'account',
  register(core) {
    const account = {
      floating_ip_limit: 10,
      reserved_ip_limit: 10,
      volume_limit: 100,
      email: 'sammy@base2.example.com',
      name: 'Sammy the Shark',
      uuid: core.ids.hex(20),
      email_verified: true,
      status: 'active',
      status_message: '',
      team: { uuid: core.ids.uuid(), name: 'Base2' },
    };
    const view = () => ({ droplet_limit: core.limits.droplets, ...account });
    core.route('GET', '/v2/account', () => ({ status: 200, body: { account: view() } }));
    core.services.set('account', account);

    // The emulator's own control (bearer token, not rate-limited): accounts differ in their limits.
    const limits = () => ({ droplet_limit: core.limits.droplets });
    core.route('GET', '/_emulator/limits', () => ({ status: 200, body: limits() }));
    core.route('POST', '/_emulator/limits', (req) => {
      const body = (req.body ?? {}) as { droplet_limit?: unknown };
      if (body.droplet_limit !== undefined) core.limits.droplets = dropletLimitOf(body.droplet_limit);
      return { status: 200, body: limits() };
    });
  },
};
