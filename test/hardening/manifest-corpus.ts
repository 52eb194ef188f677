/**
 * Malformed and hostile manifests, as mutations of the hardening fixture: a value at a path, or a
 * whole file. Each names the field its refusal must name (a whole file: the file itself).
 */

export interface ManifestCase {
  label: string;
  /**
   * Dotted path into the manifest (`droplets.container.image`); undefined for whole-file cases. A
   * value the staging environment overrides is set on that override, where it takes effect.
   */
  path?: string;
  /** What the refusal names when not the path (a file it read, an environment's section). */
  named?: string;
  value?: unknown;
  /** Replaces the whole file. */
  text?: string;
  /** Environment variables for the case's `${VAR}` references. */
  env?: Record<string, string>;
}

const at = (path: string, label: string, value: unknown): ManifestCase => ({ label, path, value });

export const MANIFEST_CASES: readonly ManifestCase[] = [
  at('name', 'command substitution', '$(rm -rf /)'),
  at('name', 'upper case', 'Base2'),
  at('name', 'too long for an app name', 'b'.repeat(40)),
  at('name', 'zero-width space', 'ba\u200bse2'),
  at('name', 'right-to-left override', '\u202ebase2'),
  at('name', 'path traversal', '../../etc'),
  at('name', 'a number', 42),
  at('name', 'null', null),
  at('region', 'shell', 'nyc3; ls'),
  at('region', 'unknown', 'moon1'),
  at('droplets.count', 'a billion', 1_000_000_000),
  at('droplets.count', 'negative', -1),
  at('droplets.count', 'a word', 'two'),
  at('droplets.count', 'a fraction', 2.5),
  at('droplets.size', 'command substitution', '$(reboot)'),
  {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference is filled from the case's env
    ...at('droplets.size', 'a variable holding YAML that would add a field', '${HARDEN_INJECTED}'),
    env: { HARDEN_INJECTED: 's-1vcpu-1gb\n  count: 40\n  user_data: "#!/bin/sh"' },
  },
  at('droplets.image', 'path traversal', '../../etc/passwd'),
  at(
    'droplets.container.image',
    'shell after the reference',
    'registry.digitalocean.com/base2/base2:latest; rm -rf /',
  ),
  at('droplets.container.image', 'command substitution', '$(curl evil.example)'),
  at('droplets.container.env', 'shell in a key', { 'A;B': 'x' }),
  at('droplets.container.env', 'a newline in a value (env-file injection)', { SAFE: 'value\nEVIL=1' }),
  at('droplets.health.path', 'no leading slash', 'healthz'),
  at('droplets.health.port', 'zero', 0),
  at('droplets.health.port', 'too large', 70_000),
  at('droplets.user_data', 'over 64 KiB', 'x'.repeat(70_000)),
  at('droplets.ssh_key.public_key', 'shell after a key', 'ssh-ed25519 AAAA; rm -rf /'),
  at('droplets.ssh_key.public_key', 'not a key', 'hunter2'),
  at('environments.staging.domain.name', 'CRLF injection', 'evil.example\r\nX-Injected: 1'),
  at('environments.staging.domain.name', 'too long', `${'a'.repeat(300)}.com`),
  at('environments.staging.domain.name', 'zero-width space', 'exa\u200bmple.com'),
  at('environments.staging.domain.name', 'path traversal', '../../etc'),
  at('domain.records.0.name', 'command substitution', '$(id)'),
  at('domain.records.0.target', 'shell after an address', '1.2.3.4; rm -rf /'),
  at('domain.ttl', 'too short', 5),
  at('firewall.inbound.0.ports', 'shell', '22; rm -rf /'),
  at('firewall.inbound.0.ports', 'past the last port', '1-70000'),
  at('firewall.inbound.0.sources.addresses', 'bad prefix', ['0.0.0.0/33']),
  at('firewall.inbound.0.sources.addresses', 'a host name', ['evil.example']),
  at('registry.name', 'upper case', 'Base2'),
  at('registry.name', 'path traversal', '../x'),
  {
    ...at('app.spec', 'path traversal to a system file', '../../../../../../../../etc/passwd'),
    named: '/etc/passwd',
  },
  { ...at('app.spec', 'a missing file', 'nonexistent.yaml'), named: 'nonexistent.yaml' },
  at('app.image.tag', 'command substitution', '$(id)'),
  { ...at('environments/../../etc/passwd', 'an environment named by a path', {}), named: 'environments' },
  { ...at('environments/$(reboot)', 'an environment named by a command', {}), named: 'environments' },
  { label: '1.5 MB of YAML', text: `name: base2\nregion: nyc3\nx: "${'y'.repeat(1_500_000)}"\n` },
  { label: 'nesting 5,000 levels deep', text: `name: base2\nx: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n` },
  { label: 'binary garbage', text: '\u0000\u0001\u0002\u00ff\ufffe PK\u0003\u0004' },
  { label: 'a key given twice', text: 'name: base2\nname: evil\nregion: nyc3\nenvironments: {}\n' },
  { label: 'tab indentation', text: 'name: base2\nenvironments:\n\tstaging: {}\n' },
  { label: 'a list instead of a mapping', text: '- name: base2\n' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal reference is the hostile value
  { label: 'an unresolved variable', text: 'name: ${BASE2_NAME_THAT_IS_NOT_SET}\nregion: nyc3\n' },
];
