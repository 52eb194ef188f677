/**
 * Does the live URL reflect an environment edit? A status page that reports its environment as
 * JSON (`{"env": {…}}`, as the emulator's live URL and a Base2 status page do) is compared for the
 * keys the edit touched: GENERAL values as set, removed keys gone, SECRET keys never shown (a page
 * that shows one leaks it). Values are never put in the check's text.
 */
import type { AppSpec } from '../../config/app-spec.js';
import { toApiError } from '../../do/index.js';
import type { AppState } from '../../resources/app/index.js';
import { liveUrlOf } from '../../resources/app/verify.js';
import type { Check } from '../../resources/types.js';
import type { OpContext } from '../types.js';
import { envListsOf, findComponent } from './env-patch.js';

/** Pure: what a component's containers see: app-wide envs, then its own (which win), run time only. */
export function runtimeEnv(
  spec: AppSpec,
  component: string,
): Map<string, { value: string; secret: boolean }> {
  const env = new Map<string, { value: string; secret: boolean }>();
  const found = findComponent(spec, component);
  const lists = envListsOf(structuredClone(spec)).filter(
    (l) => l.component === undefined || l.component === found?.component.name,
  );
  for (const list of lists) {
    for (const variable of list.envs) {
      if (variable.scope === 'BUILD_TIME') continue;
      env.set(variable.key, { value: variable.value ?? '', secret: variable.type === 'SECRET' });
    }
  }
  return env;
}

/** Pure: the touched keys whose live value is not what the spec says, by key only. */
export function liveEnvProblems(
  live: Record<string, unknown>,
  expected: Map<string, { value: string; secret: boolean }>,
  touched: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const key of touched) {
    const want = expected.get(key);
    const shown = Object.hasOwn(live, key);
    if (want?.secret) {
      if (shown) problems.push(`${key} is SECRET but the page shows it`);
    } else if (!want) {
      if (shown) problems.push(`${key} was removed but is still set`);
    } else if (want.value.includes('${')) {
      // App Platform fills in bindable variables (${APP_URL}, …) at run time: nothing to compare.
    } else if (!shown) problems.push(`${key} is not set`);
    else if (live[key] !== want.value) problems.push(`${key} has another value`);
  }
  return problems;
}

function parseEnvPage(body: string): { component?: string; env: Record<string, unknown> } | undefined {
  try {
    const page = JSON.parse(body) as { component?: unknown; env?: unknown };
    if (typeof page.env !== 'object' || page.env === null || Array.isArray(page.env)) return undefined;
    return {
      ...(typeof page.component === 'string' ? { component: page.component } : {}),
      env: page.env as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

/** Reads the live URL once and checks the touched keys against `spec`. */
export async function liveEnvCheck(
  ctx: OpContext,
  app: AppState,
  spec: AppSpec,
  verify: { path: string },
  touched: readonly string[],
): Promise<Check> {
  const name = `${app.name} live environment`;
  const check = (ok: boolean, detail: string): Check => ({ kind: 'app', name, ok, detail });
  const url = liveUrlOf(app, verify.path);
  if (!url) return check(false, 'the app has no live URL');
  try {
    const response = await ctx.api.https.request(url);
    const page = parseEnvPage(await response.text());
    if (!page)
      return check(true, `GET ${url} does not report its environment, so the values cannot be compared`);
    // A page that does not say which component answered is taken to be the first service's.
    const component = page.component ?? spec.services?.[0]?.name ?? '';
    const problems = liveEnvProblems(page.env, runtimeEnv(spec, component), touched);
    return problems.length > 0
      ? check(false, `GET ${url}: ${problems.join('; ')}`)
      : check(true, `GET ${url} shows ${touched.join(', ')} as edited (SECRET values hidden)`);
  } catch (error) {
    return check(
      false,
      toApiError(error, { action: 'check the live URL of', resource: `app ${app.name}` }).message,
    );
  }
}
