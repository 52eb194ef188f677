/**
 * Seeded randomness for the hardening suite: kill points, fault probabilities and jitter repeat
 * exactly from one run to the next, so a case that fails can be run again as it was.
 */
import type { Random } from '../../lib/clock.js';

/** The suite's seed; HARDENING_SEED replays another run's choices. */
export const SEED = Number(process.env.HARDENING_SEED ?? 20_240_917);

/** mulberry32: small, fast and good enough to spread test choices. */
export function seededRandom(seed: number = SEED): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
