import type { EmulatorModule } from '../core/types.js';

/** GET /v2/account: one team account with DigitalOcean's default limits. */
export const accountModule: EmulatorModule = {
  name: 'account',
  register(core) {
    const account = {
      droplet_limit: 100,
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
    core.route('GET', '/v2/account', () => ({ status: 200, body: { account } }));
    core.services.set('account', account);
  },
};
