/**
 * What every operation loads with the deployment: the digest key (from the token), the app spec
 * with the tool's variables stamped in (./proof.ts), and the digests of the SECRET values the spec
 * file publishes, so warnings can say one is live without the tool ever holding it as a value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { publishedSecretValues } from '../../config/app-spec.js';
import {
  type AppProofOptions,
  type DigestKey,
  digestKeyOf,
  type PublishedSecret,
} from '../../config/identity.js';
import type { Deployment } from '../../config/manifest.js';
import { stampSpec } from './proof.js';

/** `VAR=value` or `# VAR=value` lines of a sample env file (`.env.example`): values a user may copy. */
function sampleValues(file: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*#?\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    const value = match?.[2]?.trim().replace(/^(["'])(.*)\1$/, '$2');
    if (match && value) out.set(match[1]!, value);
  }
  return out;
}

function publishedDigests(deployment: Deployment, key: DigestKey, cwd: string): Map<string, PublishedSecret> {
  const out = new Map<string, PublishedSecret>();
  const app = deployment.app;
  if (!app) return out;
  const source = relative(cwd, app.specFile) || app.specFile;
  const samples = sampleValues(join(cwd, '.env.example'));
  for (const [path, published] of publishedSecretValues(app.specFile)) {
    const variable = published.variable ? { variable: published.variable } : {};
    out.set(path, { digest: key.digest(deployment.slug, path, published.value), source, ...variable });
    const sample = published.variable ? samples.get(published.variable) : undefined;
    // The sample's value counts as published too: the first digest found for a path is kept, so
    // the spec file's own default wins; the sample's is checked under a second entry.
    if (sample !== undefined)
      out.set(`${path}#sample`, {
        digest: key.digest(deployment.slug, path, sample),
        source: '.env.example',
        ...variable,
      });
  }
  return out;
}

/** The deployment with its app's proof: stamped spec, key, published digests. */
export function withAppProof(deployment: Deployment, token: string, cwd: string): Deployment {
  const key = digestKeyOf(token);
  const appProof: AppProofOptions = { key, published: publishedDigests(deployment, key, cwd) };
  if (!deployment.app) return { ...deployment, appProof };
  const spec = stampSpec(deployment.app.spec, deployment.slug, key);
  return { ...deployment, app: { ...deployment.app, spec }, appProof };
}

/** The deployment with the invocation's adopt_app (./ownership.ts). */
export function adoptingApp(deployment: Deployment, adopt: boolean): Deployment {
  if (!adopt || !deployment.appProof) return deployment;
  return { ...deployment, appProof: { ...deployment.appProof, adopt: true } };
}
