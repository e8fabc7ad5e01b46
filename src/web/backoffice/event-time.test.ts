import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_ZONES, formatEventDates, utcToZonedInput, zonedToUtc } from './event-time.js';

describe('event times in the event time zone', () => {
  test('a wall-clock time converts with the offset in force on that date, not today', () => {
    assert.equal(zonedToUtc('2026-01-14T09:00', 'Europe/Paris'), '2026-01-14T08:00:00.000Z');
    assert.equal(zonedToUtc('2026-07-14T09:00', 'Europe/Paris'), '2026-07-14T07:00:00.000Z');
    assert.equal(zonedToUtc('2026-07-14T09:00', 'Asia/Kolkata'), '2026-07-14T03:30:00.000Z');
    assert.equal(zonedToUtc('2026-07-14T09:00', 'UTC'), '2026-07-14T09:00:00.000Z');
  });

  test('a time skipped by a spring-forward moves forward by the gap', () => {
    assert.equal(zonedToUtc('2026-03-29T02:30', 'Europe/Paris'), '2026-03-29T01:30:00.000Z');
    assert.equal(utcToZonedInput('2026-03-29T01:30:00.000Z', 'Europe/Paris'), '2026-03-29T03:30');
  });

  test('the stored instant reads back as the time that was typed', () => {
    for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      for (const local of ['2026-01-01T00:00', '2026-06-30T23:59', '2026-10-25T12:15']) {
        assert.equal(utcToZonedInput(zonedToUtc(local, zone)!, zone), local, `${local} ${zone}`);
      }
    }
  });

  test('text that is not a real date and time, or an unknown zone, gives null', () => {
    for (const bad of ['', '2026-02-30T10:00', '2026-13-01T10:00', '2026-01-01T24:00', '2026-01-01', 'tomorrow']) {
      assert.equal(zonedToUtc(bad, 'Europe/Paris'), null, bad);
    }
    assert.equal(zonedToUtc('2026-01-01T10:00', 'Mars/Olympus_Mons'), null);
  });

  test('the zone list offers UTC and the IANA zones', () => {
    assert.equal(TIME_ZONES[0], 'UTC');
    assert.ok(TIME_ZONES.includes('Europe/Paris'));
    assert.equal(new Set(TIME_ZONES).size, TIME_ZONES.length);
  });

  test('a one-day event shows its end time without repeating the date', () => {
    const oneDay = { startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-14T16:00:00.000Z', timeZone: 'Europe/Paris' };
    assert.equal(formatEventDates(oneDay), 'Mon, 14 Sept 2026, 09:00 – 18:00');
  });
});
