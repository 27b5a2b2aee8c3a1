/**
 * The page's only script and style sheet, served as files (/static/…) so the Content-Security-Policy
 * can forbid inline script and style. The script is the live view: on a page of a running run it
 * polls /api/runs/<id> every 2 s, updates the counts, and reloads the page once the run has ended.
 */
const LIVE_JS = `'use strict';
(() => {
  const root = document.querySelector('[data-live-run]');
  if (!root) return;
  const url = '/api/runs/' + encodeURIComponent(root.getAttribute('data-live-run'));
  const tick = async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) { location.assign('/login'); return; }
      if (res.ok) {
        const run = await res.json();
        for (const s of run.sources) {
          for (const [name, value] of Object.entries(s.cells)) {
            const cell = document.querySelector('[data-cell="' + CSS.escape(s.key + '/' + name) + '"]');
            if (cell) cell.textContent = value;
          }
        }
        const status = document.querySelector('[data-run-status]');
        if (status) status.textContent = run.status;
        if (run.status !== 'running') { location.reload(); return; }
      }
    } catch (err) {
      // the server may be restarting: try again at the next tick
    }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();
`;

const STYLE_CSS = `body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { display: flex; gap: 2em; align-items: center; padding: .6em 1em; background: #234; color: #fff; }
header a { color: #fff; margin-right: 1em; }
header form.logout { margin-left: auto; }
main { padding: 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
table.counts td { text-align: right; }
code.cli { background: #f3f3f3; padding: 0 .3em; white-space: nowrap; }
.bad, .status-failed, .watchdog-late, .watchdog-never { color: #b00; font-weight: bold; }
.good, .status-done, .watchdog-ok { color: #070; }
form.login label { display: block; margin: .5em 0; }
`;

export const ASSETS: ReadonlyMap<string, { type: string; body: string }> = new Map([
  ['/static/live.js', { type: 'text/javascript; charset=utf-8', body: LIVE_JS }],
  ['/static/style.css', { type: 'text/css; charset=utf-8', body: STYLE_CSS }],
]);
