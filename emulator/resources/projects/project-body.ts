import { unprocessable } from '../../core/http-error.js';

/** What a project's owner can set. */
export interface ProjectFields {
  name: string;
  description: string;
  purpose: string;
  environment: Environment | undefined;
  isDefault: boolean;
}

export type Environment = 'Development' | 'Staging' | 'Production';
const ENVIRONMENTS: Environment[] = ['Development', 'Staging', 'Production'];

/** The purposes DigitalOcean offers; anything else is stored as `Other: <purpose>`. */
const PURPOSES = new Set([
  'Just trying out DigitalOcean',
  'Class project / Educational purposes',
  'Website or blog',
  'Web Application',
  'Service or API',
  'Mobile Application',
  'Machine learning / AI / Data processing',
  'IoT',
  'Operational / Developer tooling',
]);

const EDITABLE = ['name', 'description', 'purpose', 'environment', 'is_default'] as const;

/** `POST /v2/projects`: name and purpose are required. */
export function createFields(body: Record<string, unknown>): ProjectFields {
  if (!isSet(body.name)) throw unprocessable('name is required');
  if (!isSet(body.purpose)) throw unprocessable('purpose is required');
  return {
    name: name(body.name),
    description: isSet(body.description) ? description(body.description) : '',
    purpose: purpose(body.purpose),
    environment: isSet(body.environment) ? environment(body.environment) : undefined,
    isDefault: false,
  };
}

/** PATCH changes what it names (at least one attribute); PUT must name every attribute. */
export function updateFields(
  current: ProjectFields,
  body: Record<string, unknown>,
  replace: boolean,
): ProjectFields {
  const given = EDITABLE.filter((key) => body[key] !== undefined);
  if (replace) {
    const missing = EDITABLE.filter((key) => !given.includes(key));
    if (missing.length > 0)
      throw unprocessable(`${missing.join(', ')} must be sent when replacing a project`);
  } else if (given.length === 0) {
    throw unprocessable(`at least one of ${EDITABLE.join(', ')} must be sent`);
  }
  const next = { ...current };
  if (body.name !== undefined) next.name = name(body.name);
  if (body.description !== undefined)
    next.description = body.description === null ? '' : description(body.description);
  if (body.purpose !== undefined) next.purpose = purpose(body.purpose);
  if (body.environment !== undefined)
    next.environment = isSet(body.environment) ? environment(body.environment) : undefined;
  if (body.is_default !== undefined) {
    if (typeof body.is_default !== 'boolean') throw unprocessable('is_default must be true or false');
    // There is always a default project: it stops being the default only when another becomes it.
    next.isDefault = current.isDefault || body.is_default;
  }
  return next;
}

function name(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw unprocessable('name is required');
  if (value.length > 175) throw unprocessable('name must be 175 characters or fewer');
  return value;
}

function description(value: unknown): string {
  if (typeof value !== 'string') throw unprocessable('description must be a string');
  if (value.length > 255) throw unprocessable('description must be 255 characters or fewer');
  return value;
}

function purpose(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw unprocessable('purpose is required');
  if (value.length > 255) throw unprocessable('purpose must be 255 characters or fewer');
  return PURPOSES.has(value) || value.startsWith('Other: ') ? value : `Other: ${value}`;
}

/** Matched case-insensitively and answered in DigitalOcean's capitalisation. */
function environment(value: unknown): Environment {
  const found = ENVIRONMENTS.find(
    (e) => typeof value === 'string' && e.toLowerCase() === value.toLowerCase(),
  );
  if (!found) throw unprocessable(`environment must be one of ${ENVIRONMENTS.join(', ')}`);
  return found;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
