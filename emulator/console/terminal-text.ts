/**
 * Output post-processing a terminal does (the `onlcr` setting of a TTY): bare `\n` becomes `\r\n`.
 * Stateful because a `\r\n` pair may be split across two chunks of process output.
 */
export class CrlfWriter {
  private lastWasCr = false;

  convert(text: string): string {
    let out = '';
    for (const ch of text) {
      if (ch === '\n' && !this.lastWasCr) out += '\r';
      out += ch;
      this.lastWasCr = ch === '\r';
    }
    return out;
  }
}

/** One keystroke (or pasted character) after escape sequences are set aside. */
export type Key =
  | { kind: 'char'; char: string }
  | { kind: 'enter' }
  | { kind: 'backspace' }
  | { kind: 'interrupt' }
  | { kind: 'eof' }
  | { kind: 'ignored' };

/**
 * Splits terminal input into keys. Escape sequences (arrow keys, function keys) have no line
 * editing here and are ignored whole; other control characters are ignored too.
 */
export function keysOf(input: string): Key[] {
  const keys: Key[] = [];
  const chars = [...input];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\x1b') {
      // CSI (`ESC [ … final`) or SS3 (`ESC O x`): skip to the final byte.
      const next = chars[i + 1];
      if (next === '[' || next === 'O') {
        i += 2;
        while (i < chars.length && !/[@-~]/.test(chars[i]!)) i++;
      }
      keys.push({ kind: 'ignored' });
    } else if (ch === '\r' || ch === '\n') {
      // A pasted CRLF is one Enter, not two.
      if (ch === '\r' && chars[i + 1] === '\n') i++;
      keys.push({ kind: 'enter' });
    } else if (ch === '\x7f' || ch === '\b') {
      keys.push({ kind: 'backspace' });
    } else if (ch === '\x03') {
      keys.push({ kind: 'interrupt' });
    } else if (ch === '\x04') {
      keys.push({ kind: 'eof' });
    } else if (ch < ' ') {
      keys.push({ kind: 'ignored' });
    } else {
      keys.push({ kind: 'char', char: ch });
    }
  }
  return keys;
}
