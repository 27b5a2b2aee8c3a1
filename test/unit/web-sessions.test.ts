/** The status page's login rules: credentials, idle expiry, CSRF tokens and the throttle of failed logins (clock handed in). */
import { describe, expect, it } from '@jest/globals';
import { html } from '../../src/web/html.js';
import { createSessionStore } from '../../src/web/sessions.js';

function store() {
  let t = Date.parse('2026-12-01T12:00:00Z');
  const s = createSessionStore({ username: 'staff', password: 's3cret', sessionMinutes: 10, now: () => t });
  return { s, advance: (ms: number) => (t += ms) };
}

describe('status page sessions', () => {
  it('logs in only with both the username and the password', () => {
    const { s } = store();
    expect(s.login('a', 'staff', 's3cre').ok).toBe(false);
    expect(s.login('a', 'staf', 's3cret').ok).toBe(false);
    expect(s.login('a', 'staff', 's3cret\u0000').ok).toBe(false);
    const ok = s.login('a', 'staff', 's3cret');
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ends a session after session_minutes without a request; each request moves the end on', () => {
    const { s, advance } = store();
    const r = s.login('a', 'staff', 's3cret');
    if (!r.ok) throw new Error('login failed');
    advance(9 * 60_000);
    expect(s.touch(r.token)).not.toBeNull();
    advance(9 * 60_000);
    expect(s.touch(r.token)).not.toBeNull();
    advance(10 * 60_000);
    expect(s.touch(r.token)).toBeNull();
    expect(s.touch('made-up')).toBeNull();
  });

  it('checks a form CSRF token against its own session only', () => {
    const { s } = store();
    const a = s.login('a', 'staff', 's3cret');
    const b = s.login('b', 'staff', 's3cret');
    if (!a.ok || !b.ok) throw new Error('login failed');
    const sa = s.touch(a.token)!;
    const sb = s.touch(b.token)!;
    expect(s.csrfOk(sa, sa.csrf)).toBe(true);
    expect(s.csrfOk(sa, sb.csrf)).toBe(false);
    expect(s.csrfOk(sa, undefined)).toBe(false);
  });

  it('after 5 failed logins a client waits 30 s (then 60 s), even with the right password; other clients do not', () => {
    const { s, advance } = store();
    for (let i = 0; i < 4; i++) expect(s.login('a', 'staff', 'guess')).toEqual({ ok: false });
    expect(s.login('a', 'staff', 'guess')).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(s.login('a', 'staff', 's3cret')).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(s.login('b', 'staff', 's3cret').ok).toBe(true);
    advance(30_000);
    expect(s.login('a', 'staff', 'guess')).toEqual({ ok: false, retryAfterSeconds: 60 });
    advance(60_000);
    expect(s.login('a', 'staff', 's3cret').ok).toBe(true);
    expect(s.login('a', 'staff', 'guess')).toEqual({ ok: false });
  });
});

describe('html template', () => {
  it('escapes every interpolation, nested lists included; only its own fragments go in as markup', () => {
    const reason = `<script>alert("x")</script> & 'q'`;
    expect(html`<td title="${reason}">${reason}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</td>',
    );
    expect(html`<ul>${['<a>', html`<li>${'<b>'}</li>`, null, undefined, false, 0]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>&lt;b&gt;</li>0</ul>');
  });
});
