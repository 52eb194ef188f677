/**
 * DigitalOcean Functions: namespaces and scheduled triggers through the DigitalOcean API, and each
 * namespace's OpenWhisk API (packages, actions, invocations, activations, web actions) served by
 * the emulator itself, running every activation in its own Node process.
 */
import type { EmulatorModule } from '../../core/types.js';
import { registerOpenWhisk } from '../../openwhisk/index.js';
import { FunctionsState } from '../../openwhisk/state.js';
import { registerNamespaces } from './namespaces.js';
import { TriggerScheduler } from './scheduler.js';
import { registerTriggers } from './triggers.js';

export const functionsModule: EmulatorModule = {
  name: 'functions',
  register(core) {
    const state = new FunctionsState();
    const openWhisk = registerOpenWhisk(core, state);
    const scheduler = new TriggerScheduler(core.clock, state, openWhisk.invoker);
    registerNamespaces(core, state);
    registerTriggers(core, state, () => scheduler.wake());
    core.onStop(() => scheduler.stop());
    core.state('functions', {
      dump: () => state.dump(),
      reset: () => {
        state.clear();
        openWhisk.reset();
      },
    });
  },
};
