import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { printfFormat, wrapCommand } from '../../lib/exec/console-line.js';

/** Runs the typed line (without its Enter) through a real shell, as the console's shell would. */
function typedLineOutput(command: string, shell = '/bin/sh'): string {
  const { keys } = wrapCommand(command, 'abcdef0123456789');
  return execFileSync(shell, ['-c', keys.replace(/\r$/, '')], { encoding: 'utf8' });
}

describe('wrapCommand (console line)', () => {
  it('types one printable line ending in Enter, whatever the command holds', () => {
    const { keys } = wrapCommand('echo a\n\techo "b" % \\ \x01 \'q\'', 'abcdef0123456789');
    expect(keys.endsWith('\r')).toBe(true);
    expect(keys.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f]/);
  });

  it('never shows a whole marker in the echo of the typed line', () => {
    const wrapped = wrapCommand('true', 'abcdef0123456789');
    expect(wrapped.keys).not.toContain(wrapped.startMarker);
    expect(wrapped.keys).not.toContain(wrapped.endMarker);
  });

  it('prints the start marker, the command’s output with stderr merged, then the end marker and exit code', () => {
    const { startMarker, endMarker } = wrapCommand('x', 'abcdef0123456789');
    expect(typedLineOutput('echo out; echo err >&2; exit 3')).toBe(
      `${startMarker}\nout\nerr\n\n${endMarker} 3\n`,
    );
  });

  it('gives the command exactly the text it was given: quotes, %, backslashes, newlines, tabs', () => {
    const command = 'printf "%s|" "it\'s" 100% "back\\\\slash"\nprintf "[\\t]" ; printf \'%s\' "$((6*7))"';
    const expected = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    for (const shell of ['/bin/sh', '/bin/bash']) {
      expect(typedLineOutput(command, shell), shell).toContain(`-START\n${expected}\n`);
    }
  });

  it('closes the command’s stdin, so a command that reads it does not wait for the terminal', () => {
    expect(typedLineOutput('cat; echo done')).toContain('-START\ndone\n');
  });

  it('refuses a nonce that could break the markers', () => {
    expect(() => wrapCommand('true', "x'; rm -rf /")).toThrow(RangeError);
  });

  it('escapes printf’s own syntax and control characters', () => {
    expect(printfFormat("a%b\\c'd\n\t\x1b")).toBe("a%%b\\\\c'\\''d\\n\\t\\033");
  });
});
