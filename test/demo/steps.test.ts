import { describe, expect, it } from 'vitest';
import type { OpReport } from '../../lib/ops/types.js';
import { rowFromReport, summaryTable } from '../../scripts/demo/steps.js';

const report = (status: OpReport['status']) =>
  ({ status, tool_time_ms: 400, api_calls: { total: 23 } }) as unknown as OpReport;

describe("the demo's closing table", () => {
  it('says a failure the demo asks for was intended, and marks an unexpected one ✗', () => {
    const rows = [
      rowFromReport('edit', report('succeeded'), 11_000, 6),
      rowFromReport('edit', report('failed'), 11_300, 5, 'failed'),
      rowFromReport('exec', report('failed'), 1_200, 1),
    ];
    const lines = summaryTable(rows).split('\n').slice(2);
    expect(lines[0]).toMatch(/^✓ edit +succeeded +0\.4 s/);
    expect(lines[1]).toMatch(/^✓ edit +failed as intended +0\.4 s/);
    expect(lines[2]).toMatch(/^✗ exec +failed +0\.4 s/);
    // The JSON summary keeps the operation's own status.
    expect(rows.map((r) => r.outcome)).toEqual(['succeeded', 'failed', 'failed']);
  });
});
