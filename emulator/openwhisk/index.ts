/**
 * The OpenWhisk API each Functions namespace is served on (its `api_host` is the emulator's base
 * URL): info (with the runtimes manifest), namespaces, packages, actions (with invoke), activations and web actions. Requests
 * authenticate with the namespace's `uuid:key` as HTTP Basic auth, checked here rather than by the
 * core's bearer auth.
 */
import { join } from 'node:path';
import type { EmuCore } from '../core/types.js';
import { registerActions } from './actions.js';
import { registerActivations } from './activations.js';
import { Admission } from './admission.js';
import { authenticate } from './auth.js';
import { CodeStore } from './code-store.js';
import { owRoute } from './errors.js';
import { Invoker } from './invoker.js';
import { registerPackages } from './packages.js';
import { ProcessPool } from './process-pool.js';
import { runtimesJson } from './runtimes.js';
import type { FunctionsState } from './state.js';
import { registerWeb } from './web.js';

export interface OpenWhisk {
  invoker: Invoker;
  /** Forgets running processes, written code and invocation counts (the emulator's reset). */
  reset(): void;
}

export function registerOpenWhisk(core: EmuCore, state: FunctionsState): OpenWhisk {
  const code = new CodeStore(join(core.workDir, 'functions'), core.tls.caPem);
  const pool = new ProcessPool();
  const admission = new Admission(core.clock);
  const invoker = new Invoker({
    clock: core.clock,
    runtimeNode: core.runtimeNode,
    apiHost: core.baseUrl,
    code,
    pool,
    admission,
  });

  core.route(
    'GET',
    '/api/v1',
    () => ({
      status: 200,
      body: {
        description: 'OpenWhisk API',
        api_version: '1.0.0',
        api_version_path: 'v1',
        build: '2024-01-01T00:00:00Z',
        buildno: 'do-emulator',
        swagger_paths: { ui: '/docs', 'api-docs': '/api-docs' },
        runtimes: runtimesJson(),
      },
    }),
    { auth: 'none' },
  );
  core.route(
    'GET',
    '/api/v1/namespaces',
    owRoute((req) => ({ status: 200, body: [authenticate(state, req).name] })),
    { auth: 'none' },
  );
  registerPackages(core, state);
  registerActions(core, state, invoker);
  registerActivations(core, state);
  registerWeb(core, state, invoker);
  core.onStop(() => pool.close());
  return {
    invoker,
    reset: () => {
      void pool.killAll();
      code.clear();
      admission.clear();
    },
  };
}
