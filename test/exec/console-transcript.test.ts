import { describe, expect, it } from 'vitest';
import { ConsoleTranscript } from '../../lib/exec/console-transcript.js';

const markers = { startMarker: 'B2DO-n0nce-START', endMarker: 'B2DO-n0nce-END' };
const echo =
  "printf '%s%s\\n' B2DO-n0nce -START; sh -c \"$(printf 'echo hi')\" </dev/null 2>&1; printf '\\n%s%s %s\\n' B2DO-n0nce -END \"$?\"; exit\r\n";
const session = `Welcome\r\nroot@web-1:/app# ${echo}B2DO-n0nce-START\r\nhi\r\nthere\r\n\r\nB2DO-n0nce-END 0\r\nroot@web-1:/app# `;

function feed(transcript: ConsoleTranscript, text: string, size: number): boolean {
  let done = false;
  for (let i = 0; i < text.length; i += size) done = transcript.push(text.slice(i, i + size));
  return done;
}

describe('ConsoleTranscript', () => {
  it('keeps only the command’s output: no banner, prompt or echo, CRLF as LF, with the exit code', () => {
    const transcript = new ConsoleTranscript(markers, 1000);
    expect(feed(transcript, session, session.length)).toBe(true);
    expect(transcript.text()).toBe('hi\nthere\n');
    expect(transcript.exitCode).toBe(0);
  });

  it('finds markers and CRLF pairs split across frames of any size', () => {
    for (const size of [1, 2, 3, 7, 16]) {
      const transcript = new ConsoleTranscript(markers, 1000);
      expect(feed(transcript, session, size)).toBe(true);
      expect(transcript.text()).toBe('hi\nthere\n');
      expect(transcript.exitCode).toBe(0);
    }
  });

  it('keeps output that does not end its line, and reads multi-digit exit codes', () => {
    const transcript = new ConsoleTranscript(markers, 1000);
    feed(transcript, 'B2DO-n0nce-START\r\nno newline\r\nB2DO-n0nce-END 127\r\n', 4);
    expect(transcript.text()).toBe('no newline');
    expect(transcript.exitCode).toBe(127);
  });

  it('is not done until the end marker’s line is complete', () => {
    const transcript = new ConsoleTranscript(markers, 1000);
    expect(transcript.push('B2DO-n0nce-START\r\nx\r\n\r\nB2DO-n0nce-END 1')).toBe(false);
    expect(transcript.push('2\r\n')).toBe(true);
    expect(transcript.exitCode).toBe(12);
  });

  it('caps the output with a truncation mark and still finds the end', () => {
    const transcript = new ConsoleTranscript(markers, 10);
    const body = 'a'.repeat(5000);
    expect(feed(transcript, `B2DO-n0nce-START\r\n${body}\r\nB2DO-n0nce-END 0\r\n`, 333)).toBe(true);
    expect(transcript.truncated).toBe(true);
    expect(transcript.text()).toBe(`${'a'.repeat(10)}\n[output truncated: 4990 more bytes not kept]\n`);
  });

  it('does not cut characters outside the basic plane between frames', () => {
    const transcript = new ConsoleTranscript(markers, 1000);
    feed(transcript, `B2DO-n0nce-START\r\n${'🙂'.repeat(40)}\r\n\r\nB2DO-n0nce-END 0\r\n`, 5);
    expect(transcript.text()).toBe(`${'🙂'.repeat(40)}\n`);
  });
});
