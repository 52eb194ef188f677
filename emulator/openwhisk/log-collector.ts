/**
 * Activation logs as OpenWhisk records them: one entry per line, `<ISO time> stdout: <line>`,
 * truncated with the platform's notice once an activation has written more than its limit
 * (DigitalOcean keeps up to 256 KB of logs per invocation).
 */
export class LogCollector {
  private readonly entries: string[] = [];
  private bytes = 0;
  private truncated = false;

  constructor(
    private readonly now: () => number,
    private readonly limitBytes: number,
  ) {}

  add(stream: 'stdout' | 'stderr', line: string): void {
    if (this.truncated) return;
    const size = Buffer.byteLength(line, 'utf8');
    if (this.bytes + size > this.limitBytes) {
      this.truncated = true;
      this.entries.push(
        `${this.timestamp()} stderr: Logs were truncated because the total bytes size exceeds the limit of ${this.limitBytes} bytes.`,
      );
      return;
    }
    this.bytes += size;
    this.entries.push(`${this.timestamp()} ${stream}: ${line}`);
  }

  /** Whether any line so far contains the text (used to tell an out-of-memory crash). */
  mentions(text: string): boolean {
    return this.entries.some((entry) => entry.includes(text));
  }

  lines(): string[] {
    return [...this.entries];
  }

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }
}
