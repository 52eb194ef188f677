import { listAll, toToolError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import { flattenSshKey, type SshKeyState } from './model.js';

/** Every key of the account: keys are few, and neither name nor fingerprint can be filtered on. */
export async function listSshKeys(ctx: OpContext): Promise<SshKeyState[]> {
  try {
    const keys = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.account.keys.get({ queryParameters: { page, perPage } });
        return { items: r?.sshKeys, links: r?.links, meta: r?.meta };
      },
      { what: 'SSH keys' },
    );
    return keys.map(flattenSshKey);
  } catch (error) {
    throw toToolError(error, { action: 'list', resource: 'SSH keys' });
  }
}
