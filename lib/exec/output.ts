/**
 * A capped output stream: keeps the first `maxBytes` bytes, counts the rest, and marks the text
 * so a reader sees that something is missing and how much.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  append(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const room = this.maxBytes - this.kept;
    if (room >= bytes.length) {
      this.chunks.push(bytes);
      this.kept += bytes.length;
      return;
    }
    if (room > 0) {
      const head = bytes.subarray(0, utf8Boundary(bytes, room));
      this.chunks.push(head);
      this.kept += head.length;
      this.dropped += bytes.length - head.length;
      // The bytes of a character cut at the boundary count as dropped; nothing more fits after them.
      this.kept = this.maxBytes;
      return;
    }
    this.dropped += bytes.length;
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${text}${truncationMark(this.dropped)}` : text;
  }
}

export function truncationMark(droppedBytes: number): string {
  return `\n[output truncated: ${droppedBytes} more bytes not kept]\n`;
}

/** The largest length ≤ `limit` that does not cut a UTF-8 character in two. */
function utf8Boundary(bytes: Buffer, limit: number): number {
  let end = limit;
  // Continuation bytes are 10xxxxxx: back up to the first byte of the character at the cut.
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return end;
}
