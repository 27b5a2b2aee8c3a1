/** The frame of every page, the login form, and small formatting helpers shared by the pages. */
import { html, type SafeHtml } from './html.js';

export interface PageContext {
  /** The session's CSRF token, for the logout form and the action buttons (absent on the login page). */
  csrf?: string;
  /** The page may act (answer conflicts, replay failures): buttons beside the CLI commands. */
  actions?: boolean;
  now: number;
}

export function layout(title: string, body: SafeHtml, ctx: PageContext): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · patron-bridge</title><link rel="stylesheet" href="/static/style.css"></head>
<body>
<header><strong>patron-bridge</strong>
${ctx.csrf === undefined ? '' : html`<nav><a href="/">Dashboard</a> <a href="/conflicts">Conflicts</a> <a href="/failures">Failures</a></nav>
<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit">Log out</button></form>`}
</header>
<main><h1>${title}</h1>
${body}
</main>
<script src="/static/live.js"></script>
</body></html>`;
}

export function loginPage(message: string | null, ctx: PageContext): SafeHtml {
  return layout('Log in', html`${message ? html`<p class="bad" role="alert">${message}</p>` : ''}
<form method="post" action="/login" class="login">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>`, ctx);
}

/** "2026-12-01 16:43:33 UTC" from an ISO time; "-" when there is none. */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '-');

/** "3 d", "5 h", "12 min", "40 s" since an ISO time. */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s >= 86400) return `${Math.floor(s / 86400)} d`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h`;
  if (s >= 60) return `${Math.floor(s / 60)} min`;
  return `${s} s`;
}

export const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

/** A CLI command people can copy. */
export const cli = (command: string): SafeHtml => html`<code class="cli">${command}</code>`;

export const runLink = (runId: string): SafeHtml => html`<a href="/runs/${encodeURIComponent(runId)}">${runId}</a>`;
