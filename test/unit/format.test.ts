import assert from 'node:assert/strict';
import { formatCost, formatDuration, formatPercent, relativeAge } from '../../src/core/format';

const NOW = Date.parse('2025-06-15T12:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The ISO time `ms` before NOW. */
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe('format', () => {
  describe('relativeAge', () => {
    it('says "just now" under 10 seconds (after rounding)', () => {
      assert.equal(relativeAge(ago(0), NOW), 'just now');
      assert.equal(relativeAge(ago(9 * SECOND), NOW), 'just now');
      assert.equal(relativeAge(ago(9499), NOW), 'just now');
      assert.equal(relativeAge(ago(9500), NOW), '10s ago');
    });

    it('counts seconds from 10 s up to 59 s', () => {
      assert.equal(relativeAge(ago(10 * SECOND), NOW), '10s ago');
      assert.equal(relativeAge(ago(59 * SECOND), NOW), '59s ago');
    });

    it('switches to minutes at 60 s and stays there up to 59 m 59 s', () => {
      assert.equal(relativeAge(ago(60 * SECOND), NOW), '1m ago');
      assert.equal(relativeAge(ago(119 * SECOND), NOW), '1m ago');
      assert.equal(relativeAge(ago(5 * MINUTE), NOW), '5m ago');
      assert.equal(relativeAge(ago(HOUR - SECOND), NOW), '59m ago');
    });

    it('switches to hours at 60 m and stays there up to 23 h 59 m 59 s', () => {
      assert.equal(relativeAge(ago(HOUR), NOW), '1h ago');
      assert.equal(relativeAge(ago(3 * HOUR + 59 * MINUTE), NOW), '3h ago');
      assert.equal(relativeAge(ago(DAY - SECOND), NOW), '23h ago');
    });

    it('switches to days at 24 h, then to months at 30 d and years at 365 d', () => {
      assert.equal(relativeAge(ago(DAY), NOW), '1d ago');
      assert.equal(relativeAge(ago(2 * DAY + 23 * HOUR), NOW), '2d ago');
      assert.equal(relativeAge(ago(30 * DAY - SECOND), NOW), '29d ago');
      assert.equal(relativeAge(ago(30 * DAY), NOW), '1mo ago');
      assert.equal(relativeAge(ago(365 * DAY - SECOND), NOW), '12mo ago');
      assert.equal(relativeAge(ago(365 * DAY), NOW), '1y ago');
      assert.equal(relativeAge(ago(3 * 365 * DAY), NOW), '3y ago');
    });

    it('accepts ISO strings with an offset', () => {
      // 13:55+02:00 is 11:55Z, five minutes before NOW.
      assert.equal(relativeAge('2025-06-15T13:55:00+02:00', NOW), '5m ago');
    });

    it('returns undefined for a missing, empty or unparsable date', () => {
      assert.equal(relativeAge(undefined, NOW), undefined);
      assert.equal(relativeAge('', NOW), undefined);
      assert.equal(relativeAge('not a date', NOW), undefined);
      assert.equal(relativeAge('2025-13-45T99:99:99Z', NOW), undefined);
    });

    it('says "just now" for dates in the future (clock skew), never a negative age', () => {
      assert.equal(relativeAge(new Date(NOW + 5 * SECOND).toISOString(), NOW), 'just now');
      assert.equal(relativeAge(new Date(NOW + 3 * DAY).toISOString(), NOW), 'just now');
    });
  });

  describe('formatDuration', () => {
    it('shows whole seconds under a minute, rounding to the nearest second', () => {
      assert.equal(formatDuration(0), '0s');
      assert.equal(formatDuration(499), '0s');
      assert.equal(formatDuration(500), '1s');
      assert.equal(formatDuration(12_000), '12s');
      assert.equal(formatDuration(59_499), '59s');
    });

    it('shows minutes and seconds from 60 s up to an hour', () => {
      assert.equal(formatDuration(59_500), '1m 0s');
      assert.equal(formatDuration(60_000), '1m 0s');
      assert.equal(formatDuration(185_000), '3m 5s');
      assert.equal(formatDuration(HOUR - SECOND), '59m 59s');
    });

    it('shows hours and minutes from an hour on', () => {
      assert.equal(formatDuration(HOUR - 400), '1h 0m');
      assert.equal(formatDuration(HOUR), '1h 0m');
      assert.equal(formatDuration(HOUR + 2 * MINUTE + 59 * SECOND), '1h 2m');
      assert.equal(formatDuration(25 * HOUR + 30 * MINUTE), '25h 30m');
    });
  });

  describe('formatCost', () => {
    it('shows cents for a zero cost and for costs of a cent or more', () => {
      assert.equal(formatCost(0), '$0.00');
      assert.equal(formatCost(0.01), '$0.01');
      assert.equal(formatCost(1.234), '$1.23');
      assert.equal(formatCost(1.236), '$1.24');
      assert.equal(formatCost(12), '$12.00');
    });

    it('shows two significant digits below a cent', () => {
      assert.equal(formatCost(0.0042), '$0.0042');
      assert.equal(formatCost(0.001234), '$0.0012');
      assert.equal(formatCost(0.005), '$0.0050');
    });

    it('never uses exponent notation for tiny costs', () => {
      assert.equal(formatCost(3e-7), '$0.00000030');
      assert.equal(formatCost(1.26e-9), '$0.0000000013');
      assert.doesNotMatch(formatCost(4.2e-12), /e/i);
    });
  });

  describe('formatPercent', () => {
    it('rounds a 0..1 confidence to a whole percent', () => {
      assert.equal(formatPercent(0), '0%');
      assert.equal(formatPercent(0.91), '91%');
      assert.equal(formatPercent(0.9149), '91%');
      assert.equal(formatPercent(0.9151), '92%');
      assert.equal(formatPercent(0.004), '0%');
      assert.equal(formatPercent(1), '100%');
    });
  });
});
