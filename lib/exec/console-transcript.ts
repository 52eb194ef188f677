/**
 * Reads a console's terminal output back into the command's output and exit code, using the
 * markers of `wrapCommand`: everything before the start marker (banner, prompt, the echo of the
 * typed line) and from the end marker on (the next prompt) is dropped; CRLF becomes LF.
 */
import type { Redactor } from '../log/redact.js';
import { CappedOutput } from './output.js';

export class ConsoleTranscript {
  private state: 'before' | 'output' | 'done' = 'before';
  private pending = '';
  private code: number | undefined;
  private readonly output: CappedOutput;
  private readonly endPattern: RegExp;
  /** Enough of the stream's tail to hold a whole end line, so a marker split across frames is still found. */
  private readonly holdBack: number;

  constructor(
    private readonly markers: { startMarker: string; endMarker: string },
    maxOutputBytes: number,
    redactor?: Redactor,
  ) {
    this.output = new CappedOutput(maxOutputBytes, redactor);
    // The wrapper prints a newline before the end marker, so output without a final newline still
    // ends its line; that one newline is the wrapper's, not the command's.
    this.endPattern = new RegExp(`\\r?\\n${escapeRegExp(markers.endMarker)} (\\d+)\\r?\\n`);
    this.holdBack = markers.endMarker.length + 16;
  }

  /** Feeds terminal output; true once the end marker and the exit code have been read. */
  push(text: string): boolean {
    if (this.state === 'done') return true;
    this.pending += text;
    if (this.state === 'before' && !this.findStart()) return false;
    const end = this.endPattern.exec(this.pending);
    if (end) {
      this.emit(this.pending.slice(0, end.index));
      this.code = Number(end[1]);
      this.pending = '';
      this.state = 'done';
      return true;
    }
    let cut = this.pending.length - this.holdBack;
    // Never split a CRLF pair or a surrogate pair between what is emitted and what is held.
    while (cut > 0 && (this.pending[cut - 1] === '\r' || isHighSurrogate(this.pending.charCodeAt(cut - 1))))
      cut--;
    if (cut > 0) {
      this.emit(this.pending.slice(0, cut));
      this.pending = this.pending.slice(cut);
    }
    return false;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** The exit code from the end marker, once done. */
  get exitCode(): number | undefined {
    return this.code;
  }

  get truncated(): boolean {
    return this.output.truncated;
  }

  /** The output, once done. */
  text(): string {
    return this.output.text();
  }

  /** After `flush`, whatever arrived before the run was cut short; its end is a cut. */
  cutText(): string {
    return this.output.cutText();
  }

  /** The run was cut short (timeout): what is held back waiting for an end marker is output after all. */
  flush(): void {
    if (this.state !== 'output') return;
    this.emit(this.pending);
    this.pending = '';
  }

  private findStart(): boolean {
    const at = this.pending.indexOf(this.markers.startMarker);
    if (at < 0) {
      // Only a marker's worth of text can still be the beginning of one.
      this.pending = this.pending.slice(-this.markers.startMarker.length);
      return false;
    }
    const lineEnd = this.pending.indexOf('\n', at);
    if (lineEnd < 0) {
      this.pending = this.pending.slice(at);
      return false;
    }
    this.pending = this.pending.slice(lineEnd + 1);
    this.state = 'output';
    return true;
  }

  private emit(text: string): void {
    if (text) this.output.append(text.replace(/\r\n/g, '\n'));
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
