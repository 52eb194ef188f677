import { describe, expect, it } from 'vitest';
import { budgetKey, sharedRateBudget } from '../../lib/do/index.js';
import { minuteMs, resetTime, revealedLimit, windowWait } from '../../lib/do/rate-window.js';
import { createScaledClock } from '../support/scaled-clock.js';

const t0 = Date.parse('2026-03-01T12:00:00Z');

describe('the sliding minute window', () => {
  it('lets a request start while the window has room', () => {
    expect(windowWait([t0, t0 + 1000], 1, 4, t0 + 2000)).toBe(0);
  });

  it('waits for as many of the oldest ends to leave the window as the cap is exceeded by', () => {
    // Four counted, one in flight, cap 3: three must leave, the third oldest at t0 + 3000 + 1 minute.
    expect(windowWait([t0, t0 + 1000, t0 + 3000, t0 + 4000], 1, 3, t0 + 5000)).toBe(minuteMs - 2000);
  });

  it('waits without end while requests in flight hold the places', () => {
    expect(windowWait([], 3, 3, t0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('what a 429 reveals about the per-minute limit', () => {
  const ours = Array.from({ length: 30 }, (_, i) => t0 + 200 + i * 100);

  it('counts our requests in the window when its oldest request was ours', () => {
    // retry-after rounds up to whole seconds: the window opened 0.2 s before our first end.
    expect(revealedLimit(ours, t0 + minuteMs + 1000)).toBe(30);
  });

  it('leaves out our requests the server no longer counts', () => {
    // The window opened at t0 + 3000: the 13 requests that ended more than 1.5 s before are gone from it.
    expect(revealedLimit(ours, t0 + minuteMs + 3000)).toBe(17);
  });

  it('reveals nothing when the window opened before any request of ours (another client, a fault)', () => {
    // A 429 with retry-after 1 s while our oldest request is 3 s old.
    expect(revealedLimit(ours, t0 + 3200 + 1000)).toBeUndefined();
    expect(revealedLimit([], t0 + 1000)).toBeUndefined();
  });
});

describe('ratelimit-reset', () => {
  it('is read against the answer’s date, so a skewed local clock still waits the right time', () => {
    const headers = new Headers({
      'ratelimit-reset': String(t0 / 1000 + 30),
      date: new Date(t0).toUTCString(),
    });
    // The local clock runs 5 minutes behind the server's.
    expect(resetTime(headers, t0 - 5 * minuteMs)).toBe(t0 - 5 * minuteMs + 30_000);
  });

  it('is taken as it is without a date', () => {
    expect(resetTime(new Headers({ 'ratelimit-reset': String(t0 / 1000) }), 0)).toBe(t0);
    expect(resetTime(new Headers(), 0)).toBeUndefined();
  });
});

describe('the process-wide budget', () => {
  const token = `dop_v1_${'ab'.repeat(32)}`;
  const clock = createScaledClock(1);

  it('is one per API URL and token, keyed without the token itself', () => {
    const apiUrl = 'https://api.example.test';
    const first = sharedRateBudget({ apiUrl, token, clock, perMinute: 30 });
    expect(sharedRateBudget({ apiUrl: `${apiUrl}/`, token, clock })).toBe(first);
    expect(sharedRateBudget({ apiUrl, token: `dop_v1_${'cd'.repeat(32)}`, clock })).not.toBe(first);
    expect(sharedRateBudget({ apiUrl: 'https://other.example.test', token, clock })).not.toBe(first);
    expect(budgetKey(apiUrl, token)).not.toContain(token.slice(7, 23));
  });

  it('takes the latest configured limit, keeping 10% for other clients of the token', () => {
    const apiUrl = 'https://limits.example.test';
    expect(sharedRateBudget({ apiUrl, token, clock }).minuteCap()).toBe(225);
    expect(sharedRateBudget({ apiUrl, token, clock, perMinute: 30 }).minuteCap()).toBe(27);
    expect(sharedRateBudget({ apiUrl, token, clock }).minuteCap()).toBe(27);
  });
});
