/**
 * What is typed into an App Platform console to run one command and find its output and exit code
 * again. The console is a terminal: it echoes the typed line, prints prompts and has no exit
 * status, so the line prints a start marker, runs the command with stderr merged and stdin closed,
 * then prints an end marker with `$?`. Each marker is printed from two halves, so the echo of the
 * typed line never contains a whole marker and only the command's own run can produce one.
 */

export interface WrappedCommand {
  /** The keystrokes: the line and Enter. */
  keys: string;
  /** The line the command's output follows. */
  startMarker: string;
  /** Starts the line after the output, followed by a space and the exit code. */
  endMarker: string;
}

/** `nonce` (random, [A-Za-z0-9]) makes the markers impossible for the command to print by chance. */
export function wrapCommand(command: string, nonce: string): WrappedCommand {
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce)) throw new RangeError('the nonce must be 8 or more letters or digits');
  const head = `B2DO-${nonce}`;
  const line =
    `printf '%s%s\\n' ${head} -START; ` +
    `sh -c "$(printf '${printfFormat(command)}')" </dev/null 2>&1; ` +
    `printf '\\n%s%s %s\\n' ${head} -END "$?"; exit`;
  return { keys: `${line}\r`, startMarker: `${head}-START`, endMarker: `${head}-END` };
}

/**
 * The command as a single-quoted printf format: the typed line stays one line of printable text
 * (a newline would press Enter, a tab would ask the shell to complete), and printf restores it.
 */
export function printfFormat(command: string): string {
  let out = '';
  for (const ch of command) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '%') out += '%%';
    else if (ch === "'") out += "'\\''";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out;
}
