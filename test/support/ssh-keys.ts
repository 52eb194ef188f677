import { utils } from 'ssh2';

/**
 * An ed25519 key pair ssh2 can read back: it writes about one private key in 256 that its own
 * parser refuses (mscdex/ssh2#1390), which would make a test fail at random.
 */
export function ed25519KeyPair(comment?: string): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', comment === undefined ? undefined : { comment });
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}
