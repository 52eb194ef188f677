/**
 * The forms in which a secret can leak into text. A token pasted into a URL is percent-encoded, a
 * token inside HTTP Basic auth or a Kubernetes-style secret is base64 (and not always aligned to the
 * start of the encoded string), and a PEM key logged as JSON has its newlines escaped.
 */

/** Shifted base64 forms shorter than this would match too much unrelated base64. */
const MIN_SHIFTED_BASE64 = 8;

/** PEM armour lines (`-----BEGIN … KEY-----`) frame a key but are not secret themselves. */
const PEM_ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

export function secretVariants(secret: string, minLength: number): Set<string> {
  const variants = new Set<string>();
  const add = (candidate: string, floor = minLength) => {
    if (candidate.length >= floor) variants.add(candidate);
  };

  for (const form of textForms(secret)) {
    add(form);
    add(encodeURIComponent(form));
    add(jsonEscaped(form));
    const bytes = Buffer.from(form, 'utf8');
    const base64 = bytes.toString('base64');
    add(base64);
    add(encodeURIComponent(base64));
    add(bytes.toString('base64url'));
    for (const shifted of shiftedBase64(bytes)) {
      add(shifted, MIN_SHIFTED_BASE64);
      add(toBase64Url(shifted), MIN_SHIFTED_BASE64);
    }
  }
  return variants;
}

/** The secret itself and, when it spans lines, each meaningful line of it. */
function textForms(secret: string): string[] {
  const forms = [secret];
  if (!/[\r\n]/.test(secret)) return forms;
  forms.push(secret.replace(/\r\n/g, '\n'));
  for (const line of secret.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '' && !PEM_ARMOUR.test(trimmed)) forms.push(trimmed);
  }
  return forms;
}

/** How the string looks inside a JSON string literal (quotes, backslashes, newlines escaped). */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * The part of the secret's base64 that is the same whatever bytes precede or follow it, for each of
 * the three byte alignments it can have inside a longer encoded value.
 */
function shiftedBase64(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const total = shift + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Drop the group that mixes in the preceding bytes and the group cut short at the end.
    const from = shift === 0 ? 0 : 4;
    const to = Math.floor(total / 3) * 4;
    if (to > from) forms.push(encoded.slice(from, to));
  }
  return forms;
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
