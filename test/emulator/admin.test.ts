import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorModule } from '../../emulator/core/types.js';
import { accountModule } from '../../emulator/resources/account.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** A module with a state slice, the way every resource module keeps its state. */
const notesModule: EmulatorModule = {
  name: 'notes',
  register(core) {
    const notes = new Map<number, string>();
    core.route('POST', '/v2/probe/notes', (req) => {
      const id = core.ids.next('note', 0);
      notes.set(id, String((req.body as { text: unknown }).text));
      return { status: 201, body: { note: { id } } };
    });
    core.state('notes', {
      dump: () => Object.fromEntries(notes),
      reset: () => notes.clear(),
    });
  },
};

interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  duration_ms: number;
  request_id: string;
}

describe('admin API', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator({ modules: [accountModule, notesModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    // Reset keeps limits set through the admin API, so each test sets the default back itself.
    await t.admin('POST', '/_emulator/reset');
    await t.admin('POST', '/_emulator/rate-limit', { per_minute: 250, per_hour: 5000 });
  });

  const api = (path: string, init: RequestInit = {}) =>
    t.fetch(`${t.emu.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${t.emu.token}`, 'content-type': 'application/json' },
    });
  const addNote = (text: string) =>
    api('/v2/probe/notes', { method: 'POST', body: JSON.stringify({ text }) });
  const log = async (since?: number) =>
    (await t.admin('GET', `/_emulator/requests${since === undefined ? '' : `?since=${since}`}`)) as {
      requests: LogEntry[];
      last_seq: number;
    };

  it('dumps every module state slice and the counters', async () => {
    await addNote('first');
    await addNote('second');
    const state = (await t.admin('GET', '/_emulator/state')) as Record<string, unknown>;
    expect(Object.values(state.notes as object)).toEqual(['first', 'second']);
    expect(state._counters).toEqual({ plaintext_attempts: 0 });
  });

  it('reset empties state, faults, the request log and the rate-limit windows', async () => {
    await t.admin('POST', '/_emulator/rate-limit', { per_minute: 3 });
    await addNote('kept?');
    await t.admin('POST', '/_emulator/faults', { path: '/v2/nothing', mode: 'error' });
    await api('/v2/account');
    await api('/v2/account');
    expect((await api('/v2/account')).status).toBe(429);

    await t.admin('POST', '/_emulator/reset');
    const state = (await t.admin('GET', '/_emulator/state')) as Record<string, unknown>;
    expect(state.notes).toEqual({});
    expect(await t.admin('GET', '/_emulator/faults')).toEqual({ faults: [] });
    expect((await log()).requests).toEqual([]);
    expect((await api('/v2/account')).status).toBe(200);
  });

  it('logs method, path, query, status, duration and request id of each API request', async () => {
    const response = await api('/v2/account?per_page=5');
    await api('/v2/account', { method: 'PUT' });
    const { requests } = await log();
    expect(requests).toEqual([
      {
        seq: expect.any(Number),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        method: 'GET',
        path: '/v2/account',
        query: 'per_page=5',
        status: 200,
        duration_ms: expect.any(Number),
        request_id: response.headers.get('x-request-id'),
      },
      expect.objectContaining({ method: 'PUT', path: '/v2/account', status: 405 }),
    ]);
  });

  it('lists only the requests after `since`', async () => {
    await api('/v2/account');
    const { last_seq } = await log();
    await addNote('after');
    await api('/v2/account');
    const later = await log(last_seq);
    expect(later.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/probe/notes',
      'GET /v2/account',
    ]);
    expect(later.last_seq).toBe(last_seq + 2);
    expect((await log(later.last_seq)).requests).toEqual([]);
  });

  it('clears the request log without touching state', async () => {
    await addNote('stays');
    await t.admin('DELETE', '/_emulator/requests');
    expect((await log()).requests).toEqual([]);
    const state = (await t.admin('GET', '/_emulator/state')) as Record<string, unknown>;
    expect(Object.values(state.notes as object)).toEqual(['stays']);
  });

  it('keeps its own calls out of the request log', async () => {
    await t.admin('GET', '/_emulator/state');
    await t.admin('GET', '/_emulator/clock');
    await api('/v2/account');
    expect((await log()).requests.map((r) => r.path)).toEqual(['/v2/account']);
  });

  it('changes the timing profile field by field, and refuses unknown fields and bad values', async () => {
    const before = (await t.admin('GET', '/_emulator/timing')) as Record<string, number>;
    expect(before).toMatchObject({ dropletBootMs: 35_000, dropletDeleteMs: 20_000 });
    try {
      const after = await t.admin('POST', '/_emulator/timing', { dropletDeleteMs: 3_600_000 });
      expect(after).toEqual({ ...before, dropletDeleteMs: 3_600_000 });
      await expect(t.admin('POST', '/_emulator/timing', { dropletDeletMs: 1 })).rejects.toThrow(
        /400 .*dropletDeletMs is not a timing field/,
      );
      await expect(t.admin('POST', '/_emulator/timing', { actionMs: -1 })).rejects.toThrow(
        /400 .*actionMs must be a number of milliseconds, 0 or more/,
      );
      // A reset keeps it, like the clock and the rate limits.
      await t.admin('POST', '/_emulator/reset');
      expect(await t.admin('GET', '/_emulator/timing')).toEqual(after);
    } finally {
      await t.admin('POST', '/_emulator/timing', before);
    }
  });

  it('answers unknown admin routes with 404', async () => {
    await expect(t.admin('GET', '/_emulator/nothing')).rejects.toThrow(/404/);
  });
});
