import type { OpContext } from '../../ops/types.js';

/**
 * The digest of the user_data each droplet was created with, kept for this operation's client
 * only. With a DOCR image the user_data holds a one-time credential, so its digest cannot be
 * worked out again later: verify compares it when this run created the droplet, and otherwise
 * relies on the generation in the name, which digests the credential-free template.
 */
const sentByClient = new WeakMap<object, Map<number, string>>();

export function rememberSentUserData(ctx: OpContext, dropletId: number, sha256: string): void {
  const sent = sentByClient.get(ctx.api) ?? new Map<number, string>();
  sent.set(dropletId, sha256);
  sentByClient.set(ctx.api, sent);
}

export function sentUserDataSha256(ctx: OpContext, dropletId: number): string | undefined {
  return sentByClient.get(ctx.api)?.get(dropletId);
}
