import ssh2 from 'ssh2';

/**
 * An ed25519 key pair ssh2 can read back: it writes about one private key in 256 that its own
 * parser refuses (mscdex/ssh2#1390), so a freshly made key is drawn again until both halves parse.
 */
export function ed25519KeyPair(comment?: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment === undefined ? undefined : { comment });
    const readable = [pair.private, pair.public].every((key) => !(ssh2.utils.parseKey(key) instanceof Error));
    if (readable) return pair;
  }
}
