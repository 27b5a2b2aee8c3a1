import { describe, it, expect } from '@jest/globals';
import { compareOffset, naiveToInstant, parseKohaDateTime, toNaiveLocal } from '../../connectors/koha/time.js';

describe('toNaiveLocal (ISO instant → Koha naive local time, floored to the second)', () => {
  it.each([
    ['UTC, milliseconds floored', '2025-01-31T10:20:30.999Z', 'UTC', '2025-01-31 10:20:30'],
    ['Berlin winter (+01:00)', '2025-01-31T10:20:30Z', 'Europe/Berlin', '2025-01-31 11:20:30'],
    ['Berlin summer crosses midnight', '2025-07-01T22:30:00Z', 'Europe/Berlin', '2025-07-02 00:30:00'],
    ['Berlin last second before spring forward', '2025-03-30T00:59:59.500Z', 'Europe/Berlin', '2025-03-30 01:59:59'],
    ['Berlin first second after spring forward', '2025-03-30T01:00:00Z', 'Europe/Berlin', '2025-03-30 03:00:00'],
    ['Berlin fall back, first 02:30 (CEST)', '2025-10-26T00:30:00Z', 'Europe/Berlin', '2025-10-26 02:30:00'],
    ['Berlin fall back, second 02:30 (CET)', '2025-10-26T01:30:00Z', 'Europe/Berlin', '2025-10-26 02:30:00'],
    ['New York spring forward', '2025-03-09T07:00:00Z', 'America/New_York', '2025-03-09 03:00:00'],
    ['New York before spring forward', '2025-03-09T06:59:59Z', 'America/New_York', '2025-03-09 01:59:59'],
    ['Kolkata half-hour offset', '2025-01-01T00:00:00Z', 'Asia/Kolkata', '2025-01-01 05:30:00'],
    ['Auckland next calendar day', '2025-06-30T13:00:00Z', 'Pacific/Auckland', '2025-07-01 01:00:00'],
    ['input with an offset', '2025-01-31T11:20:30+01:00', 'UTC', '2025-01-31 10:20:30'],
  ])('%s', (_name, instant, zone, expected) => {
    expect(toNaiveLocal(instant, zone)).toBe(expected);
  });

  it('refuses an unreadable instant instead of sending "NaN" to Koha', () => {
    expect(() => toNaiveLocal('not a date', 'UTC')).toThrow(RangeError);
  });

  it('refuses an unknown zone instead of sending "Invalid DateTime" to Koha', () => {
    expect(() => toNaiveLocal('2025-01-31T10:20:30Z', 'Europe/Berlinn')).toThrow(RangeError);
  });
});

describe('naiveToInstant (Koha naive local time → ISO UTC)', () => {
  it.each([
    ['Berlin winter', '2025-01-31 11:20:30', 'Europe/Berlin', '2025-01-31T10:20:30.000Z'],
    ['Berlin summer, T separator', '2025-07-02T00:30:00', 'Europe/Berlin', '2025-07-01T22:30:00.000Z'],
    ['skipped wall time moves forward', '2025-03-30 02:30:00', 'Europe/Berlin', '2025-03-30T01:30:00.000Z'],
    ['repeated wall time takes the earlier instant', '2025-10-26 02:30:00', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
    ['last second before the gap', '2025-03-30 01:59:59', 'Europe/Berlin', '2025-03-30T00:59:59.000Z'],
    ['first skipped second moves forward to 03:00 CEST', '2025-03-30 02:00:00', 'Europe/Berlin', '2025-03-30T01:00:00.000Z'],
    ['last skipped second moves forward', '2025-03-30 02:59:59', 'Europe/Berlin', '2025-03-30T01:59:59.000Z'],
    ['first second after the gap', '2025-03-30 03:00:00', 'Europe/Berlin', '2025-03-30T01:00:00.000Z'],
    ['last second before the repeated hour', '2025-10-26 01:59:59', 'Europe/Berlin', '2025-10-25T23:59:59.000Z'],
    ['start of the repeated hour takes CEST', '2025-10-26 02:00:00', 'Europe/Berlin', '2025-10-26T00:00:00.000Z'],
    ['end of the repeated hour takes CEST', '2025-10-26 02:59:59', 'Europe/Berlin', '2025-10-26T00:59:59.000Z'],
    ['first second after the repeated hour', '2025-10-26 03:00:00', 'Europe/Berlin', '2025-10-26T02:00:00.000Z'],
    ['New York repeated hour takes EDT', '2025-11-02 01:30:00', 'America/New_York', '2025-11-02T05:30:00.000Z'],
    ['leap day in a non-leap year', '2025-02-29 10:00:00', 'Europe/Berlin', null],
    ['hour 24', '2025-01-31 24:00:00', 'UTC', null],
    ['fractional seconds are not a Koha naive time', '2025-01-31 11:20:30.5', 'UTC', null],
    ['UTC', '2024-02-29 23:59:59', 'UTC', '2024-02-29T23:59:59.000Z'],
    ['impossible date', '2025-02-30 10:00:00', 'UTC', null],
    ['not a timestamp', '31/01/2025 10:00', 'UTC', null],
  ])('%s', (_name, naive, zone, expected) => {
    expect(naiveToInstant(naive, zone)).toBe(expected);
  });

  it('round-trips every quarter hour across both Berlin DST days (except the repeated hour)', () => {
    for (const day of ['2025-03-30T00:00:00Z', '2025-10-26T00:00:00Z']) {
      const start = Date.parse(day) - 3 * 3600_000;
      for (let t = start; t < start + 30 * 3600_000; t += 15 * 60_000) {
        const iso = new Date(t).toISOString();
        const inRepeatedHour = t >= Date.parse('2025-10-26T01:00:00Z') && t < Date.parse('2025-10-26T02:00:00Z');
        if (inRepeatedHour) continue;
        expect(naiveToInstant(toNaiveLocal(iso, 'Europe/Berlin'), 'Europe/Berlin')).toBe(iso);
      }
    }
  });
});

describe('parseKohaDateTime', () => {
  it.each([
    ['RFC 3339 with offset', '2025-01-31T11:20:30+01:00', 'UTC', '2025-01-31T10:20:30.000Z'],
    ['RFC 3339 Z', '2025-01-31T10:20:30Z', 'Europe/Berlin', '2025-01-31T10:20:30.000Z'],
    ['offset without colon', '2025-01-31T11:20:30+0100', 'UTC', '2025-01-31T10:20:30.000Z'],
    ['space separator with offset', '2025-01-31 11:20:30+01:00', 'UTC', '2025-01-31T10:20:30.000Z'],
    ['lower-case t and z', '2025-01-31t10:20:30z', 'Europe/Berlin', '2025-01-31T10:20:30.000Z'],
    ['fraction kept', '2025-01-31T11:20:30.250+01:00', 'UTC', '2025-01-31T10:20:30.250Z'],
    ['second 02:30 of the Berlin fall-back night (CET)', '2025-10-26T02:30:00+01:00', 'Europe/Berlin', '2025-10-26T01:30:00.000Z'],
    ['naive repeated wall time takes the earlier instant', '2025-10-26 02:30:00', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
    ['negative offset', '2025-01-31T05:20:30-05:00', 'Europe/Berlin', '2025-01-31T10:20:30.000Z'],
    ['naive value read in the source zone', '2025-01-31 11:20:30', 'Europe/Berlin', '2025-01-31T10:20:30.000Z'],
    ['garbage', 'yesterday', 'UTC', null],
    ['impossible date with offset (Date.parse would roll it to March)', '2025-02-30T10:00:00+01:00', 'UTC', null],
    ['hour 24 with offset', '2025-01-31T24:00:00+01:00', 'UTC', null],
  ])('%s', (_name, value, zone, expected) => {
    expect(parseKohaDateTime(value, zone)).toBe(expected);
  });
});

describe('compareOffset (the offset a value carries vs the zone\'s offset at that instant)', () => {
  it.each([
    ['Berlin winter, matching', '2025-01-31T11:20:30+01:00', 'Europe/Berlin', { seen: '+01:00', expected: '+01:00' }],
    ['Berlin summer, matching', '2025-07-01T12:00:00+02:00', 'Europe/Berlin', { seen: '+02:00', expected: '+02:00' }],
    ['Berlin value, UTC configured', '2025-01-31T11:20:30+01:00', 'UTC', { seen: '+01:00', expected: '+00:00' }],
    ['UTC value, Berlin configured', '2025-07-01T12:00:00+00:00', 'Europe/Berlin', { seen: '+00:00', expected: '+02:00' }],
    ['Z reads as +00:00', '2025-01-31T10:20:30Z', 'UTC', { seen: '+00:00', expected: '+00:00' }],
    ['offset without colon', '2025-01-31T11:20:30+0100', 'Europe/Berlin', { seen: '+01:00', expected: '+01:00' }],
    ['first 02:30 of the fall-back night is CEST', '2025-10-26T02:30:00+02:00', 'Europe/Berlin', { seen: '+02:00', expected: '+02:00' }],
    ['second 02:30 of the fall-back night is CET', '2025-10-26T02:30:00+01:00', 'Europe/Berlin', { seen: '+01:00', expected: '+01:00' }],
    ['03:00 CEST right after spring forward', '2025-03-30T03:00:00+02:00', 'Europe/Berlin', { seen: '+02:00', expected: '+02:00' }],
    ['01:59:59 CET right before spring forward', '2025-03-30T01:59:59+01:00', 'Europe/Berlin', { seen: '+01:00', expected: '+01:00' }],
    ['a winter offset on a summer instant', '2025-03-30T03:30:00+01:00', 'Europe/Berlin', { seen: '+01:00', expected: '+02:00' }],
    ['Kolkata half hour', '2025-01-01T05:30:00+05:30', 'Asia/Kolkata', { seen: '+05:30', expected: '+05:30' }],
    ['naive value: nothing to compare', '2025-01-31 11:20:30', 'UTC', null],
    ['unreadable value', '2025-02-30T10:00:00+01:00', 'UTC', null],
  ])('%s', (_name, value, zone, expected) => {
    expect(compareOffset(value, zone)).toEqual(expected);
  });
});
