import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { civiCall } from './civicrm-sandbox-client.js';

let s: CiviSandbox;
let target: number;
beforeAll(async () => {
  s = await startCiviSandbox({ timezone: 'Europe/Paris' });
  [target] = s.addContacts([{ first_name: 'Zoë', last_name: 'Borrower' }]) as [number];
});
afterAll(async () => s.stop());

async function saveActivity(extra: Record<string, unknown>): Promise<Record<string, unknown>> {
  const saved = await civiCall(s, 'Activity', 'save', {
    records: [{ 'activity_type_id:name': 'Meeting', subject: 'Loan', source_contact_id: target, target_contact_id: [target], ...extra }],
  });
  expect(saved.status).toBe(200);
  const id = saved.values[0]!['id'];
  const got = await civiCall(s, 'Activity', 'get', { select: ['*', 'custom.*'], where: [['id', '=', id]] });
  return got.values[0]!;
}

describe('CiviCRM sandbox: the site time zone', () => {
  it('exposes its zone, UTC unless given', async () => {
    expect(s.timezone).toBe('Europe/Paris');
    const plain = await startCiviSandbox();
    expect(plain.timezone).toBe('UTC');
    await plain.stop();
    await expect(startCiviSandbox({ timezone: 'Mars/Olympus' })).rejects.toThrow(/time zone/);
  });

  it.each([
    ['an offset (winter, +01:00)', '2026-03-01T14:05:00+01:00', '2026-03-01 14:05:00'],
    ['Z (winter)', '2026-03-01T13:05:00Z', '2026-03-01 14:05:00'],
    ['another offset', '2026-03-01T08:05:00-05:00', '2026-03-01 14:05:00'],
    ['a naive value (kept as given)', '2026-03-01 14:05:00', '2026-03-01 14:05:00'],
    ['a naive ISO value', '2026-03-01T14:05:00', '2026-03-01 14:05:00'],
    ['Z (summer, +02:00 in Paris)', '2026-07-01T12:00:00Z', '2026-07-01 14:00:00'],
    ['Z across midnight', '2026-12-31T23:30:00Z', '2027-01-01 00:30:00'],
  ])('stores activity_date_time written with %s as the site wall clock', async (_what, sent, stored) => {
    expect((await saveActivity({ activity_date_time: sent }))['activity_date_time']).toBe(stored);
  });

  it('converts custom Date fields too, keeping the date of the converted wall clock', async () => {
    const group = await civiCall(s, 'CustomGroup', 'save', { records: [{ name: 'Loan', title: 'Loan', extends: 'Activity', style: 'Inline' }], match: ['name'] }, 'admin');
    expect(group.status).toBe(200);
    const field = await civiCall(s, 'CustomField', 'save', {
      records: [{ 'custom_group_id:name': 'Loan', name: 'Due', label: 'Due', data_type: 'Date', html_type: 'Select Date' }],
      match: ['custom_group_id', 'name'],
    }, 'admin');
    expect(field.status).toBe(200);
    // 23:30 UTC on 1 March is 00:30 on 2 March in Paris
    expect((await saveActivity({ 'Loan.Due': '2026-03-01T23:30:00Z' }))['Loan.Due']).toBe('2026-03-02');
    expect((await saveActivity({ 'Loan.Due': '2026-03-01T23:30:00+01:00' }))['Loan.Due']).toBe('2026-03-01');
    expect((await saveActivity({ 'Loan.Due': '2026-03-01 23:30:00' }))['Loan.Due']).toBe('2026-03-01');
  });

  it('a UTC site stores the UTC wall clock of an offset value', async () => {
    const utc = await startCiviSandbox();
    try {
      const [c] = utc.addContacts([{ first_name: 'Ann', last_name: 'Utc' }]) as [number];
      const saved = await civiCall(utc, 'Activity', 'save', { records: [{ 'activity_type_id:name': 'Meeting', source_contact_id: c, activity_date_time: '2026-03-01T14:05:00+01:00' }] });
      const got = await civiCall(utc, 'Activity', 'get', { select: ['activity_date_time'], where: [['id', '=', saved.values[0]!['id']]] });
      expect(got.values[0]!['activity_date_time']).toBe('2026-03-01 13:05:00');
    } finally {
      await utc.stop();
    }
  });
});
