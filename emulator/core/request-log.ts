export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  duration_ms: number;
  request_id: string;
  /** The fault rule applied, if any (`dropped` when no answer was sent). */
  fault?: string;
}

/** Every API request the emulator answered, so tests and benchmarks can count calls. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > 100_000) this.entries.splice(0, this.entries.length - 100_000);
  }

  /** Entries after sequence number `since` (exclusive). */
  list(since = 0): RequestLogEntry[] {
    return this.entries.filter((e) => e.seq > since);
  }

  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
  }
}
