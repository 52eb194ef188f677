/**
 * Malformed and hostile environments: each variable the tool reads, set to something it must refuse
 * before any API call, naming the variable (or, for the manifest path, the file).
 */

export interface EnvCase {
  label: string;
  /** The variable the error must name. */
  variable: string;
  /** Overrides of the emulator's environment; `undefined` removes a variable. */
  env: Record<string, string | undefined>;
}

const c = (variable: string, label: string, value: string | undefined): EnvCase => ({
  label,
  variable,
  env: { [variable]: value },
});

/** `token` is the emulator's: a case built from it must not echo it. */
export function envCases(token: string): EnvCase[] {
  return [
    c('DIGITALOCEAN_TOKEN', 'missing', undefined),
    c('DIGITALOCEAN_TOKEN', 'too short', token.slice(0, 20)),
    c('DIGITALOCEAN_TOKEN', 'one digit more', `${token}0`),
    c('DIGITALOCEAN_TOKEN', 'not hex', `dop_v1_${'g'.repeat(64)}`),
    c('DIGITALOCEAN_TOKEN', 'CRLF header injection', `${token}\r\nX-Injected: 1`),
    c('DIGITALOCEAN_TOKEN', 'command substitution', '$(cat /etc/passwd)'),
    c('DIGITALOCEAN_TOKEN', '1 MB', 'd'.repeat(1_000_000)),
    c('DIGITALOCEAN_TOKEN', 'zero-width space inside', `${token.slice(0, 10)}\u200b${token.slice(10)}`),
    {
      label: 'two different tokens',
      variable: 'DIGITALOCEAN_TOKEN',
      env: { DIGITALOCEAN_ACCESS_TOKEN: `dop_v1_${'0'.repeat(64)}` },
    },
    c('DIGITALOCEAN_API_URL', 'plain http', 'http://127.0.0.1:1'),
    c('DIGITALOCEAN_API_URL', 'file URL', 'file:///etc/passwd'),
    c('DIGITALOCEAN_API_URL', 'javascript URL', 'javascript:alert(1)'),
    c('DIGITALOCEAN_API_URL', 'not a URL', 'api.digitalocean.com; rm -rf /'),
    c(
      'DIGITALOCEAN_API_URL',
      'a user and password in the URL',
      'https://ops:hunter2-pass@api.digitalocean.com',
    ),
    c('DIGITALOCEAN_API_URL', 'a user name alone in the URL', 'https://dop_v1_user@api.digitalocean.com'),
    c('DIGITALOCEAN_CA_FILE', 'not a PEM', '/etc/passwd'),
    c('DIGITALOCEAN_CA_FILE', 'a directory', '/etc'),
    c('DIGITALOCEAN_CA_FILE', 'a device', '/dev/zero'),
    c('DIGITALOCEAN_CA_FILE', 'path traversal', '../../../../nonexistent/ca.pem'),
    c('DO_REGION', 'shell', 'nyc3; rm -rf /'),
    c('DO_REGION', 'unknown region', 'moon1'),
    c('DO_SSH_PRIVATE_KEY', 'not a key', 'hunter2-not-a-private-key'),
    c('DO_SSH_PRIVATE_KEY', 'unterminated', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA'),
    c('DO_SSH_PRIVATE_KEY_FILE', 'not a key file', '/etc/passwd'),
    c('DO_SSH_PRIVATE_KEY_FILE', 'a device', '/dev/zero'),
    c('DO_SSH_USER', 'shell', 'root; rm -rf /'),
    c('DO_SSH_USER', 'command substitution', '$(id)'),
    c('DO_SSH_USER', 'upper case', 'Root'),
    c('DO_SSH_PORT', 'zero', '0'),
    c('DO_SSH_PORT', 'too large', '65536'),
    c('DO_SSH_PORT', 'shell', '22; ls'),
    c('DO_SSH_HOST_FINGERPRINT', 'short', 'SHA256:abc'),
    c('DO_SSH_HOST_FINGERPRINT', 'MD5', 'MD5:aa:bb:cc'),
    c('OPS_WEB_SECRET', 'too short', 'short-secret'),
    c('LOG_LEVEL', 'unknown', 'verbose'),
    c('LOG_LEVEL', 'shell', 'info; rm -rf /'),
    c('DO_RATE_LIMIT_PER_MINUTE', 'zero', '0'),
    c('DO_RATE_LIMIT_PER_MINUTE', 'negative', '-5'),
    c('DO_RATE_LIMIT_PER_MINUTE', 'exponent', '1e3'),
    c('DEPLOY_ENV', 'path traversal', '../../etc/passwd'),
    c('DEPLOY_ENV', 'command substitution', '$(rm -rf /)'),
    c('DEPLOY_ENV', 'upper case', 'STAGING'),
    c('DEPLOY_ENV', 'right-to-left override', '\u202egnigats'),
    c('BASE2_MANIFEST', 'path traversal to a system file', '../../../../../../etc/passwd'),
    c('BASE2_MANIFEST', 'absolute system file', '/etc/hostname'),
    c('BASE2_MANIFEST', 'a directory', '/etc'),
    c('BASE2_MANIFEST', 'missing file', 'test/hardening/fixtures/nonexistent.yml'),
    c('BASE2_MANIFEST', 'shell', 'deployment.yml; rm -rf /'),
  ];
}
