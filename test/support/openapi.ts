/**
 * Spec conformance: the emulator's responses checked against DigitalOcean's official OpenAPI 3.0
 * spec (../shared/do-openapi, never copied into the project). OpenAPI 3.0 schemas are turned into
 * JSON Schema once (nullable, writeOnly, OpenAPI-only keywords); ajv compiles each operation's
 * response schema the first time it is needed, against the shared components.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { parse } from 'yaml';
import type { ResponseRecord } from '../../emulator/core/server.js';
import type { EmulatorModule } from '../../emulator/core/types.js';

type Json = Record<string, unknown>;
type SpecResponse = { $ref?: string; content?: Record<string, { schema?: Json }> };
interface SpecOperation {
  operationId: string;
  responses: Record<string, SpecResponse>;
}

export interface ValidationResult {
  /** Undefined when the route is not a DigitalOcean API operation (admin, live URLs, OpenWhisk). */
  operationId: string | undefined;
  valid: boolean;
  errors: string[];
}

export type LoadedSpec =
  | { validator: SpecValidator; skip?: undefined }
  | { validator?: undefined; skip: string };

const SPEC_BASE = 'https://spec.digitalocean.invalid/';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** OpenAPI annotations JSON Schema does not know; they carry no constraint on a response. */
const DROPPED_KEYS = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs', 'deprecated']);
const SCHEMA_LIST_KEYS = new Set(['allOf', 'oneOf', 'anyOf']);
/** Formats the spec uses that ajv-formats lacks: syslog flavours and free-form names constrain nothing checkable. */
const LOOSE_FORMATS = ['rfc5424', 'rfc3164', 'cidr', 'string'];

export function specPath(projectRoot = join(dirname(fileURLToPath(import.meta.url)), '../..')): string {
  return (
    process.env.DO_OPENAPI_SPEC ?? resolve(projectRoot, '../shared/do-openapi/DigitalOcean-public.v2.yaml')
  );
}

/**
 * Loads the spec. Without it, CI fails (conformance is a guarantee there) and anywhere else the
 * caller skips, with the reason printed.
 */
export function loadSpec(path = specPath()): LoadedSpec {
  if (!existsSync(path)) {
    const reason = `OpenAPI spec not found at ${path} (set DO_OPENAPI_SPEC to its path)`;
    if (process.env.CI === 'true' || process.env.CI === '1')
      throw new Error(`${reason}; it is required under CI`);
    process.stderr.write(`conformance skipped: ${reason}\n`);
    return { skip: reason };
  }
  // YAML 1.2 core schema: the droplet status `off` stays a string.
  return { validator: new SpecValidator(parse(readFileSync(path, 'utf8'), { maxAliasCount: -1 }) as Json) };
}

export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly operations = new Map<string, SpecOperation>();
  private readonly compiled = new Map<string, ValidateFunction | 'none'>();
  private readonly responses: Record<string, SpecResponse>;

  constructor(spec: Json) {
    const components = (spec.components ?? {}) as Record<string, Record<string, unknown>>;
    this.responses = (components.responses ?? {}) as Record<string, SpecResponse>;
    this.ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, unicodeRegExp: false });
    addFormatsPlugin.default(this.ajv);
    for (const name of LOOSE_FORMATS) this.ajv.addFormat(name, true);
    this.ajv.addFormat('uint32', { type: 'number', validate: (n: number) => n >= 0 && n <= 0xffff_ffff });
    this.ajv.addFormat('uint64', { type: 'number', validate: (n: number) => n >= 0 });
    const definitions = Object.fromEntries(
      Object.entries(components.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema)]),
    );
    this.ajv.addSchema({ $id: SPEC_BASE, definitions });
    for (const [path, item] of Object.entries((spec.paths ?? {}) as Record<string, Json>)) {
      for (const method of HTTP_METHODS) {
        const op = item[method] as SpecOperation | undefined;
        if (op?.responses) this.operations.set(operationKey(method, path), op);
      }
    }
  }

  /** The spec operation an emulator route pattern (`/v2/droplets/:droplet_id`) implements. */
  operationFor(method: string, route: string): string | undefined {
    return this.operations.get(operationKey(method, route))?.operationId;
  }

  validateResponse(r: {
    method: string;
    route?: string;
    path: string;
    status: number;
    body: unknown;
  }): ValidationResult {
    const op =
      (r.route ? this.operations.get(operationKey(r.method, r.route)) : undefined) ??
      this.operations.get(operationKey(r.method, r.path));
    if (!op) return { operationId: undefined, valid: true, errors: [] };
    const status = String(r.status) in op.responses ? String(r.status) : 'default';
    const declared = op.responses[status];
    if (!declared) {
      return {
        operationId: op.operationId,
        valid: false,
        errors: [`status ${r.status} is not declared (and no default)`],
      };
    }
    const validate = this.compile(op, status, declared);
    if (validate === 'none') {
      const empty = r.body === undefined || r.body === '';
      return {
        operationId: op.operationId,
        valid: empty,
        errors: empty ? [] : ['the spec declares no body'],
      };
    }
    const valid = validate(r.body) as boolean;
    return { operationId: op.operationId, valid, errors: valid ? [] : (validate.errors ?? []).map(describe) };
  }

  /** Compiled once per operation and declared status (a `default` serves every status it covers). */
  private compile(op: SpecOperation, status: string, declared: SpecResponse): ValidateFunction | 'none' {
    const key = `${op.operationId} ${status}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      const response = declared.$ref ? this.responses[declared.$ref.split('/').pop()!] : declared;
      const content = response?.content ?? {};
      const schema = (content['application/json'] ?? Object.values(content)[0])?.schema;
      fn = schema ? this.ajv.compile(toJsonSchema(schema) as Json) : 'none';
      this.compiled.set(key, fn);
    }
    return fn;
  }
}

/** Records the routes modules register, so coverage knows which spec operations are implemented. */
export class ConformanceTracker {
  readonly routes: { method: string; pattern: string }[] = [];
  private readonly exercised = new Map<string, { responses: number; invalid: number }>();
  readonly failures: {
    method: string;
    path: string;
    status: number;
    operationId: string;
    errors: string[];
    body: unknown;
  }[] = [];

  constructor(private readonly validator: SpecValidator) {}

  /** The same modules, with every `core.route` call recorded on its way through. */
  track(modules: readonly EmulatorModule[]): EmulatorModule[] {
    return modules.map((module) => ({
      name: module.name,
      register: (core) =>
        module.register({
          ...core,
          route: (method, pattern, handler, options) => {
            this.routes.push({ method: method.toUpperCase(), pattern });
            core.route(method, pattern, handler, options);
          },
        }),
    }));
  }

  hasRoute(method: string, pattern: string): boolean {
    const key = operationKey(method, pattern);
    return this.routes.some((r) => operationKey(r.method, r.pattern) === key);
  }

  /** For `onResponse`: validates one answered request and keeps the tally. */
  readonly record = (r: ResponseRecord): ValidationResult => {
    const result = this.validator.validateResponse(r);
    if (!result.operationId) return result;
    const tally = this.exercised.get(result.operationId) ?? { responses: 0, invalid: 0 };
    tally.responses++;
    if (!result.valid) {
      tally.invalid++;
      this.failures.push({ ...r, operationId: result.operationId, errors: result.errors });
    }
    this.exercised.set(result.operationId, tally);
    return result;
  };

  coverage(): {
    implemented: string[];
    exercised: string[];
    valid: string[];
    unexercised: string[];
    responses: number;
  } {
    const implemented = [
      ...new Set(
        this.routes
          .map((r) => this.validator.operationFor(r.method, r.pattern))
          .filter((id) => id !== undefined),
      ),
    ].sort();
    const exercised = [...this.exercised.keys()].sort();
    return {
      implemented,
      exercised,
      valid: exercised.filter((id) => this.exercised.get(id)!.invalid === 0),
      unexercised: implemented.filter((id) => !this.exercised.has(id)),
      responses: [...this.exercised.values()].reduce((sum, t) => sum + t.responses, 0),
    };
  }
}

/** `GET /v2/droplets/:droplet_id` and `get /v2/droplets/{droplet_id}` give the same key. */
function operationKey(method: string, path: string): string {
  const segments = path.split('/').map((s) => (s.startsWith(':') || /^\{.+\}$/.test(s) ? '{}' : s));
  return `${method.toUpperCase()} ${segments.join('/')}`;
}

/** OpenAPI 3.0 schema → JSON Schema draft-07, as a response validator needs it. */
function toJsonSchema(input: unknown): unknown {
  if (!isObject(input)) return input;
  const out: Json = {};
  for (const [key, value] of Object.entries(input)) {
    if (DROPPED_KEYS.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === '$ref')
      out.$ref = String(value).replace(/^#\/components\/schemas\//, `${SPEC_BASE}#/definitions/`);
    else if (key === 'properties') out.properties = mapValues(value as Json, responseProperty);
    else if (SCHEMA_LIST_KEYS.has(key)) out[key] = (value as unknown[]).map(toJsonSchema);
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && isObject(value)))
      out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  if (Array.isArray(out.required) && isObject(input.properties)) {
    const props = input.properties as Record<string, Json>;
    out.required = out.required.filter((name: string) => !props[name]?.writeOnly);
  }
  // OpenAPI 3.0 siblings of $ref are ignored, except the nullable handled below.
  const schema = out.$ref ? { $ref: out.$ref } : out;
  return input.nullable === true ? { anyOf: [{ type: 'null' }, schema] } : schema;
}

/** writeOnly properties (a domain's `ip_address`) are for requests: a response must not carry them. */
function responseProperty(schema: unknown): unknown {
  return isObject(schema) && schema.writeOnly === true ? false : toJsonSchema(schema);
}

function mapValues(object: Json, fn: (value: unknown) => unknown): Json {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(e: ErrorObject): string {
  return `${e.instancePath || '(body)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;
}
