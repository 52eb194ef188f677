/**
 * DigitalOcean Functions: namespaces and scheduled triggers through the DigitalOcean API, and each
 * namespace's OpenWhisk API (packages, actions, invocations, activations, web actions) served by
 * the emulator itself, running every activation in its own Node process. Whether the account has
 * the scheduled triggers preview starts as the emulator's option and can be switched at
 * `POST /_emulator/functions/triggers-preview` (`{ "enabled": true }`); a reset restores the option.
 */
import { badRequest } from '../../core/http-error.js';
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
    let triggersPreview = core.triggersPreview;
    registerTriggers(
      core,
      state,
      () => scheduler.wake(),
      () => triggersPreview,
    );
    core.route('GET', '/_emulator/functions/triggers-preview', () => ({
      status: 200,
      body: { enabled: triggersPreview },
    }));
    core.route('POST', '/_emulator/functions/triggers-preview', (req) => {
      const enabled = (req.body as { enabled?: unknown } | undefined)?.enabled;
      if (typeof enabled !== 'boolean') throw badRequest('enabled must be true or false');
      triggersPreview = enabled;
      return { status: 200, body: { enabled } };
    });
    core.onStop(() => scheduler.stop());
    core.state('functions', {
      dump: () => state.dump(),
      reset: () => {
        state.clear();
        openWhisk.reset();
        triggersPreview = core.triggersPreview;
      },
    });
  },
};
