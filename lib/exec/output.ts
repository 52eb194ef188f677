/**
 * A capped output stream: shows at most `maxBytes` bytes, counts the rest, and marks the text so a
 * reader sees that something is missing and how much.
 *
 * With a redactor, secrets are masked before the cut, never after: a secret that starts before the
 * cap is masked whole (the stream keeps as many bytes past the cap as the longest form of a secret
 * has, to see all of it), and a cut text that ends with the start of a secret has that start masked.
 */
import { REDACTED, type Redactor } from '../log/redact.js';

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly redactor?: Redactor,
  ) {}

  append(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.total += bytes.length;
    const room = this.maxBytes + (this.redactor?.longestVariantBytes ?? 0) - this.kept;
    if (room <= 0) return;
    const head = room >= bytes.length ? bytes : bytes.subarray(0, room);
    this.chunks.push(head);
    this.kept += head.length;
  }

  get truncated(): boolean {
    return this.total > this.maxBytes;
  }

  /** The output of a command that ended: redacted, and cut at the cap with a mark if it went over. */
  text(): string {
    return this.truncated ? this.capped() : this.redact(this.whole(), false);
  }

  /** The output of a command stopped before it ended (a timeout): its end is a cut too. */
  cutText(): string {
    return this.truncated ? this.capped() : this.redact(this.whole(), true);
  }

  private whole(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private capped(): string {
    const raw = Buffer.concat(this.chunks);
    const headBytes = utf8Boundary(raw, this.maxBytes);
    const head = raw.subarray(0, headBytes).toString('utf8');
    // A secret that straddles the cap is shown as one mask and counted as shown.
    const straddling = this.redactor
      ?.spans(raw.toString('utf8'))
      .find((span) => span.start < head.length && span.end > head.length);
    if (straddling === undefined) {
      return `${this.redact(head, true)}${truncationMark(this.total - headBytes)}`;
    }
    const full = raw.toString('utf8');
    const shown = this.redact(full.slice(0, straddling.start), false);
    const shownBytes = Buffer.byteLength(full.slice(0, straddling.end), 'utf8');
    return `${shown}${REDACTED}${truncationMark(this.total - shownBytes)}`;
  }

  private redact(text: string, cut: boolean): string {
    if (this.redactor === undefined) return text;
    return cut ? this.redactor.redactCut(text) : this.redactor.redact(text);
  }
}

export function truncationMark(droppedBytes: number): string {
  return `\n[output truncated: ${droppedBytes} more bytes not kept]\n`;
}

/** The largest length ≤ `limit` that does not cut a UTF-8 character in two (nor end inside one). */
function utf8Boundary(bytes: Buffer, limit: number): number {
  const end = Math.min(limit, bytes.length);
  // Back up over continuation bytes (10xxxxxx) to the first byte of the last character.
  let start = end;
  while (start > 0 && (bytes[start - 1]! & 0xc0) === 0x80) start--;
  if (start === 0) return end;
  const lead = bytes[start - 1]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start - 1 + length <= end ? end : start - 1;
}
