/**
 * The forms a planted secret could leak in, built independently of the redactor (so the test does
 * not grade the redactor with its own list): as is, base64, base64url, URL-encoded, JSON-escaped,
 * and each line of a multi-line secret such as a PEM key.
 */
import { expect } from 'vitest';

export const FORM_NAMES = ['plain', 'base64', 'base64url', 'url-encoded', 'json-escaped'] as const;

export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
  const lines = secret.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  return [...new Set([...forms, ...lines])];
}

/** Fails naming the secret, the form and where it showed up, without printing the secret. */
export function expectNoSecrets(outputs: readonly string[], secrets: Record<string, string>): void {
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = secretForms(secret);
    for (const [index, output] of outputs.entries()) {
      for (const form of forms) {
        if (!output.includes(form)) continue;
        const at = output.indexOf(form);
        const context = `${output.slice(Math.max(0, at - 60), at)}<${name}>`;
        expect.fail(`${name} leaked (form ${forms.indexOf(form)}) in output #${index}: …${context}`);
      }
    }
  }
}

/** Fewer characters than this at a cut may show by design (lib/log/redact.ts, CUT_PREFIX_CHARS). */
export const CUT_PREFIX_CHARS = 4;

/**
 * Fails when an output cut short (before its truncation mark, or at its end when the command was
 * stopped) ends with the first CUT_PREFIX_CHARS or more characters of a secret in any of its forms.
 */
export function expectNoCutSecret(output: string, secrets: Record<string, string>): void {
  const mark = output.indexOf('\n[output truncated: ');
  const beforeCut = mark >= 0 ? output.slice(0, mark) : output;
  for (const [name, secret] of Object.entries(secrets)) {
    for (const form of secretForms(secret)) {
      for (let length = CUT_PREFIX_CHARS; length < form.length; length++) {
        if (beforeCut.endsWith(form.slice(0, length))) {
          expect.fail(
            `the first ${length} characters of ${name} show at a cut: …${beforeCut.slice(-length - 20, -length)}<cut ${name}>`,
          );
        }
      }
    }
  }
}
