import { isAbsolute, join } from 'node:path';
import { secretValuesOf } from '../config/app-spec.js';
import { type Deployment, loadManifest, resolveDeployment } from '../config/manifest.js';
import { InputError } from '../errors.js';
import { withAppProof } from '../resources/app/proof-options.js';
import type { OpContext } from './types.js';

/**
 * The deployment an operation works on: the manifest (BASE2_MANIFEST, relative to the working
 * directory) resolved for the environment named in the input, or DEPLOY_ENV. Every SECRET value
 * of its app spec is registered with the redactor before anything can log it; the spec carries the
 * tool's proof of ownership and SECRET digests (lib/resources/app/proof.ts).
 */
export function loadDeployment(ctx: OpContext, environment: string | undefined): Deployment {
  const file = isAbsolute(ctx.env.manifestPath) ? ctx.env.manifestPath : join(ctx.cwd, ctx.env.manifestPath);
  const manifest = loadManifest(file, ctx.envSource);
  const name = environment ?? ctx.env.defaultEnvironment;
  if (name === undefined) {
    throw new InputError('The input', [
      {
        path: 'env',
        message: `is required (or set DEPLOY_ENV): choose one of ${Object.keys(manifest.environments).join(', ')}`,
      },
    ]);
  }
  const deployment = resolveDeployment(manifest, name, ctx.env);
  if (deployment.app) for (const secret of secretValuesOf(deployment.app.spec)) ctx.log.redactor.add(secret);
  // The app's proof of ownership and SECRET digests, written into the spec it deploys.
  return withAppProof(deployment, ctx.env.token, ctx.cwd);
}
