export { ed25519KeyPair } from '../../lib/exec/keys.js';
