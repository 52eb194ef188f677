import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The tests mostly wait on servers and scaled clocks: on 2 cores, one file at a time (vitest's
    // default, cores − 1) leaves half the machine idle and takes twice as long.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
