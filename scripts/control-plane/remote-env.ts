/**
 * What `npm run remote` needs, and nothing more: where the functions are (OPS_WEB_URL, written by
 * bootstrap), the web secret, and optionally a CA to trust (the emulator's). A CI job calling the
 * control plane needs no DigitalOcean token.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { friendlyError, zodProblems } from '../../lib/config/input.js';
import { ConfigError } from '../../lib/errors.js';

export interface RemoteEnv {
  /** The package's web URL, no trailing slash: `<api_host>/api/v1/web/<namespace>/ops`. */
  webUrl: string;
  secret: string;
  caPem: string | undefined;
}

function schema(cwd: string) {
  return z.object({
    OPS_WEB_URL: z.string().transform((value, ctx) => {
      const url = URL.canParse(value) ? new URL(value) : undefined;
      if (url?.protocol === 'https:') return url.href.replace(/\/+$/, '');
      ctx.addIssue({
        code: 'custom',
        message:
          url?.protocol === 'http:'
            ? 'https is required: the web secret must not cross the network in clear text'
            : 'must be the https:// URL bootstrap printed (it writes it to .env)',
      });
      return z.NEVER;
    }),
    OPS_WEB_SECRET: z.string().min(32, 'must be at least 32 characters long (bootstrap generates one)'),
    DIGITALOCEAN_CA_FILE: z
      .string()
      .transform((value, ctx) => {
        const path = resolve(cwd, value);
        try {
          if (statSync(path).isFile()) {
            const pem = readFileSync(path, 'utf8');
            if (pem.includes('-----BEGIN CERTIFICATE-----')) return pem;
          }
        } catch {
          // Reported below like any other unreadable file.
        }
        ctx.addIssue({ code: 'custom', message: 'must be a readable PEM file with a CERTIFICATE block' });
        return z.NEVER;
      })
      .optional(),
  });
}

export function loadRemoteEnv(source: Readonly<Record<string, string | undefined>>, cwd: string): RemoteEnv {
  const present = Object.fromEntries(
    ['OPS_WEB_URL', 'OPS_WEB_SECRET', 'DIGITALOCEAN_CA_FILE']
      .map((name) => [name, source[name]?.trim()] as const)
      .filter(([, value]) => value),
  );
  const parsed = schema(cwd).safeParse(present, { error: friendlyError });
  if (!parsed.success) {
    throw new ConfigError('The environment', zodProblems(parsed.error, 'environment'), {
      hint: 'Run `npm run bootstrap` (it writes OPS_WEB_URL and OPS_WEB_SECRET to .env), or set them in the environment.',
    });
  }
  return {
    webUrl: parsed.data.OPS_WEB_URL,
    secret: parsed.data.OPS_WEB_SECRET,
    caPem: parsed.data.DIGITALOCEAN_CA_FILE,
  };
}
