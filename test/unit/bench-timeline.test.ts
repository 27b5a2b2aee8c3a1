import { idleProfile } from '../../src/bench/timeline.js';

describe('idleProfile (where the bench CRM pool stood idle)', () => {
  it('counts idle workers per slice and the requests that started in it', () => {
    // 2 workers, slices of 100 ms: one request 0-100, two side by side 100-200, then nothing until one 250-300
    const p = idleProfile([
      { at: 0, ms: 100, action: 'Contact.get' },
      { at: 100, ms: 100, action: 'Contact.save' },
      { at: 100, ms: 100, action: 'Contact.save' },
      { at: 250, ms: 50, action: 'GroupContact.save' },
    ], 2, 100);
    expect(p.endMs).toBe(300);
    expect(p.busyMs).toBe(350);
    // 0-100: 1 idle; 100-200: none; 200-250: 2 idle, 250-300: 1 idle
    expect(p.idleMs).toBe(100 + 0 + 100 + 50);
    expect(p.slices.map((s) => s.idle)).toEqual([1, 0, 1.5]);
    expect(p.slices.map((s) => s.started)).toEqual([{ 'Contact.get': 1 }, { 'Contact.save': 2 }, { 'GroupContact.save': 1 }]);
  });

  it('gives one empty slice for a pool that served nothing', () => {
    expect(idleProfile([], 4)).toEqual({ endMs: 0, busyMs: 0, idleMs: 0, slices: [{ from: 0, idle: 0, started: {} }] });
  });
});
