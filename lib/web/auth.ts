/**
 * The web secret check. DigitalOcean can check `X-Require-Whisk-Auth` itself (project.yml
 * `webSecure`), but the function checks again so a deployment without the annotation is still
 * closed, and so CI systems that only speak `Authorization: Bearer` work too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.js';

export const SECRET_HEADER = 'x-require-whisk-auth';

const HINT = `Send the web secret in the ${SECRET_HEADER} header (or as Authorization: Bearer <secret>).`;

/** Throws AuthError (401) unless the headers carry the expected secret. */
export function checkSecret(headers: Readonly<Record<string, string | undefined>>, expected: string): void {
  const presented = presentedSecrets(headers);
  if (presented.length === 0) {
    throw new AuthError('This function requires its web secret and the request carried none.', {
      hint: HINT,
    });
  }
  // Every candidate is compared, so timing does not reveal which header was tried first.
  let matched = false;
  for (const candidate of presented) matched = secretsEqual(candidate, expected) || matched;
  if (!matched) throw new AuthError('The web secret in the request is not valid.', { hint: HINT });
}

/**
 * Constant-time comparison of SHA-256 digests: both sides are always 32 bytes, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function presentedSecrets(headers: Readonly<Record<string, string | undefined>>): string[] {
  const found: string[] = [];
  const whisk = header(headers, SECRET_HEADER);
  if (whisk !== undefined && whisk !== '') found.push(whisk);
  const match = /^\s*bearer\s+(.+?)\s*$/i.exec(header(headers, 'authorization') ?? '');
  if (match?.[1] !== undefined) found.push(match[1]);
  return found;
}

function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
