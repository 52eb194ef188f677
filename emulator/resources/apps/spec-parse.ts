import { HttpError } from '../../core/http-error.js';
import { componentsOf } from './components.js';
import type { SecretBox } from './secrets.js';
import { firstSpecProblem, type SpecProblem } from './spec-rules.js';
import { type AppSpec, appSpecSchema, type EnvVar } from './spec-schema.js';

/** App Platform's 400 for a bad spec: `error validating app spec field "services.name": …`. */
export function specError(problem: SpecProblem): HttpError {
  return new HttpError(
    400,
    'invalid_argument',
    `error validating app spec field "${problem.path}": ${problem.message}`,
  );
}

export function invalidArgument(message: string): HttpError {
  return new HttpError(400, 'invalid_argument', message);
}

/** Validates the `spec` of a request body into a typed spec (deep copy), or throws the first problem. */
export function parseSpec(body: unknown): AppSpec {
  const raw = (body as { spec?: unknown } | undefined)?.spec;
  if (raw === undefined || raw === null) throw invalidArgument('spec is required');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidArgument('spec must be an object');
  const parsed = appSpecSchema.safeParse(structuredClone(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const names = issue.path.filter((p): p is string => typeof p === 'string');
    const field = names.at(-1) ?? 'spec';
    const message = issue.message === 'is required' ? `${field} is required` : issue.message;
    throw specError({ path: names.join('.') || 'spec', message });
  }
  const problem = firstSpecProblem(parsed.data);
  if (problem) throw specError(problem);
  return parsed.data;
}

type SecretVisitor = (value: string, path: string, key: string) => string;

/** Applies `visit` to every secret in a copy of the spec: SECRET env values and registry credentials. */
export function mapSecrets(spec: AppSpec, visit: SecretVisitor): AppSpec {
  const copy = structuredClone(spec);
  const visitEnvs = (envs: EnvVar[] | undefined, path: string) => {
    for (const env of envs ?? []) {
      if (env.type === 'SECRET' && env.value !== undefined)
        env.value = visit(env.value, `${path}.value`, env.key);
    }
  };
  visitEnvs(copy.envs, 'envs');
  for (const component of componentsOf(copy)) {
    visitEnvs(component.spec.envs, `${component.list}.envs`);
    const image = component.spec.image;
    if (image?.registry_credentials !== undefined) {
      image.registry_credentials = visit(
        image.registry_credentials,
        `${component.list}.image.registry_credentials`,
        'registry_credentials',
      );
    }
  }
  return copy;
}

/** The spec as the API shows it: secrets encrypted for this app. */
export function sealSpec(box: SecretBox, appId: string, spec: AppSpec): AppSpec {
  return mapSecrets(spec, (value) => box.encrypt(appId, value));
}

/**
 * The spec as the emulator keeps it: encrypted values sent back ("unchanged") are decrypted.
 * Before an app exists there is nothing they could have been encrypted for.
 */
export function openSpec(box: SecretBox, appId: string | undefined, spec: AppSpec): AppSpec {
  return mapSecrets(spec, (value, path, key) => {
    if (!isSealed(value)) return value;
    if (appId === undefined) {
      throw specError({ path, message: 'secret env value must not be encrypted before app is created' });
    }
    const plain = box.decrypt(appId, value);
    if (plain === undefined) {
      throw specError({ path, message: `encrypted value of "${key}" was not encrypted for this app` });
    }
    return plain;
  });
}

function isSealed(value: string): boolean {
  return /^EV\[1:[^\]]*\]$/.test(value);
}
