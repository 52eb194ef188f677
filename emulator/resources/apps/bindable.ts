/**
 * App Platform's bindable variables in env values: `${APP_URL}`, `${APP_DOMAIN}` and `${APP_ID}`
 * are replaced with the app's own (its live domain: the PRIMARY custom domain, else the default
 * `….ondigitalocean.app` host), as DigitalOcean does when it deploys. Any other `${…}` is left as
 * written: the emulator models only these, and a literal is what a component would otherwise see.
 */
import type { AppSpec } from './spec-schema.js';

export interface BindableApp {
  id: string;
  ingressHost: string;
}

/** The app-wide bindable variables of `app` as deployed with `spec`. */
export function appWideVariables(app: BindableApp, spec: AppSpec): Record<string, string> {
  const primary = spec.domains?.find((d) => d.type === 'PRIMARY')?.domain;
  const domain = primary ?? app.ingressHost;
  return { APP_URL: `https://${domain}`, APP_DOMAIN: domain, APP_ID: app.id };
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** Pure: `env` with every `${NAME}` of `variables` replaced; other references stay as written. */
export function bindVariables(
  env: Record<string, string>,
  variables: Readonly<Record<string, string>>,
): Record<string, string> {
  const bound: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    bound[key] = value.replace(REFERENCE, (whole, name: string) =>
      Object.hasOwn(variables, name) ? variables[name]! : whole,
    );
  }
  return bound;
}
