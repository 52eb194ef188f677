import { unprocessable } from '../../core/http-error.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Record owners may use underscores (`_dmarc`, `_sip._tcp`) and a leading wildcard label.
const OWNER_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A registrable-looking domain: at least two labels, letters-only (or IDN) top level, 253 characters at most. */
export function isDomainName(name: string): boolean {
  const labels = name.split('.');
  return (
    name.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    TLD.test(labels[labels.length - 1]!)
  );
}

/** `www.example.com` style host names (record data), without the trailing dot. */
export function isHostName(name: string): boolean {
  const labels = name.split('.');
  return name.length <= 253 && labels.every((label) => OWNER_LABEL.test(label));
}

/**
 * DigitalOcean stores record names relative to the zone (`www`, `@` for the apex) and accepts a
 * fully qualified name with its trailing dot (`www.example.com.`) in its place. A name without the
 * trailing dot is always relative, so `www.example.com` becomes `www.example.com.example.com`.
 */
export function relativeName(input: string, zone: string): string {
  const name = input.trim().toLowerCase();
  if (name === '@') return '@';
  let relative = name;
  if (name.endsWith('.')) {
    const fqdn = name.slice(0, -1);
    if (fqdn === zone) return '@';
    if (!fqdn.endsWith(`.${zone}`)) throw unprocessable(`Name must be within the ${zone} zone`);
    relative = fqdn.slice(0, -(zone.length + 1));
  }
  const labels = relative.split('.');
  const valid = labels.every((label, i) => (label === '*' && i === 0) || OWNER_LABEL.test(label));
  if (!valid || fqdn(relative, zone).length > 253) throw unprocessable('Name is invalid');
  return relative;
}

/** The fully qualified name of a record, without trailing dot (what the `name` list filter takes). */
export function fqdn(name: string, zone: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}

/**
 * Host data (CNAME, MX, NS, SRV targets; CAA issuers) must be `@` or end with a dot; DigitalOcean
 * answers it without the dot, and as `@` when it names the zone itself.
 */
export function hostData(input: string, zone: string): string {
  const data = input.trim().toLowerCase();
  if (data === '@') return '@';
  if (!data.endsWith('.')) throw unprocessable('Data needs to end with a dot (.)');
  const host = data.slice(0, -1);
  if (host === zone) return '@';
  if (!isHostName(host)) throw unprocessable('Data is not a valid hostname');
  return host;
}
