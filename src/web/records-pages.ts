/**
 * Conflicts and failures per source, with the CLI commands that act on them and, where the page may
 * act (serve hands it the actions), buttons that do the same. Record ids, field names, codes and
 * reasons only: values stay in Redis (`patron-bridge conflicts show <id>` prints them).
 */
import { LINK_KINDS, type ConflictEntry } from '../core/conflicts.js';
import type { FailureEntry } from '../state/ports.js';
import { html, type SafeHtml } from './html.js';
import { age, cli, layout, when, type PageContext } from './layout.js';

export interface PerSource<T> {
  sourceId: string;
  entries: T[];
}

/** At the cap, the page says where the rest are. */
const capped = (total: number, max: number, command: string): SafeHtml => (total <= max ? html`` : html`<p>only the first ${max} are shown; all of them: ${cli(command)}</p>`);


/** A POST form with the session's CSRF token and hidden fields; `inner` adds inputs before the button. */
function button(ctx: PageContext, action: string, fields: Record<string, string>, label: string, inner: SafeHtml = html``): SafeHtml {
  return html`<form method="post" action="${action}" class="action"><input type="hidden" name="csrf" value="${ctx.csrf ?? ''}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${inner}<button type="submit">${label}</button></form>`;
}

function answers(c: ConflictEntry, ctx: PageContext): SafeHtml {
  if (c.status !== 'open') return html``;
  const base = `patron-bridge conflicts resolve ${c.id} --source ${c.sourceId}`;
  const fields = { source: c.sourceId, id: c.id };
  const buttons = !ctx.actions ? html`` : LINK_KINDS.has(c.kind)
    ? html`${button(ctx, '/conflicts/resolve', fields, 'link', html`<input type="number" name="link" min="1" required placeholder="contact id" aria-label="contact id">`)}${button(ctx, '/conflicts/resolve', { ...fields, take: 'source' }, 'take source')}`
    : html`${button(ctx, '/conflicts/resolve', { ...fields, take: 'source' }, 'take source')}${button(ctx, '/conflicts/resolve', { ...fields, take: 'crm' }, 'keep CRM')}`;
  return LINK_KINDS.has(c.kind)
    ? html`<br>answer: ${cli(`${base} --link CONTACT_ID`)} or ${cli(`${base} --take source`)}${buttons}`
    : html`<br>answer: ${cli(`${base} --take source`)} or ${cli(`${base} --take crm`)}${buttons}`;
}

export function conflictsPage(sources: PerSource<ConflictEntry>[], all: boolean, max: number, ctx: PageContext): SafeHtml {
  return layout('Conflicts', html`<p>${all ? html`Every kept conflict (<a href="/conflicts">only open ones</a>).` : html`Open conflicts, waiting for a person (<a href="/conflicts?all=1">also those decided by policy, and resolved ones</a>).`}</p>
${sources.map(({ sourceId, entries }) => html`<section><h2>${sourceId}</h2>
${entries.length === 0 ? html`<p>no ${all ? '' : 'open '}conflicts</p>` : html`<table><thead><tr><th>id</th><th>record</th><th>field</th><th>kind</th><th>status</th><th>decision</th><th>age</th><th>last seen</th><th>reason</th><th>actions</th></tr></thead><tbody>
${entries.slice(0, max).map((c) => html`<tr><td>${c.id}</td><td>${c.recordId}</td><td>${c.field ?? '-'}</td><td>${c.kind}</td><td>${c.status}</td><td>${c.decision}</td><td>${age(c.firstSeen, ctx.now)}</td><td>${when(c.lastSeen)}</td><td class="reason">${c.reason}</td>
<td>values: ${cli(`patron-bridge conflicts show ${c.id} --source ${c.sourceId}`)}${answers(c, ctx)}</td></tr>`)}
</tbody></table>${capped(entries.length, max, `patron-bridge conflicts list --source ${sourceId}${all ? ' --all' : ''}`)}`}</section>`)}`, ctx);
}

export function failuresPage(sources: PerSource<FailureEntry>[], max: number, ctx: PageContext): SafeHtml {
  return layout('Failures', html`<p>Records runs could not write. Each run tries them again until they are parked (<code>sync.park_after_runs</code>); a replay tries parked ones too: ${cli('patron-bridge failures replay')}</p>
${sources.map(({ sourceId, entries }) => html`<section><h2>${sourceId}</h2>
${entries.length === 0 ? html`<p>no kept failures</p>` : html`<p>${entries.length} kept, ${entries.filter((f) => f.parked).length} parked; replay them all: ${cli(`patron-bridge failures replay --source ${sourceId}`)}${ctx.actions ? button(ctx, '/failures/replay', { source: sourceId }, 'replay all') : html``}</p>
<table><thead><tr><th>record</th><th>stream</th><th>code</th><th>reason</th><th>attempts</th><th>runs</th><th>status</th><th>first seen</th><th>last seen</th><th>action</th></tr></thead><tbody>
${entries.slice(0, max).map((f) => html`<tr><td>${f.recordId}</td><td>${f.stream}</td><td>${f.code}</td><td class="reason">${f.reason}</td><td>${f.attempts}</td><td>${f.runs}</td><td>${f.parked ? 'parked' : 'will retry'}</td><td>${when(f.firstSeen)}</td><td>${when(f.lastSeen)}</td>
<td>${cli(`patron-bridge failures replay --source ${sourceId} --id ${f.recordId}`)}${ctx.actions ? button(ctx, '/failures/replay', { source: sourceId, id: f.recordId }, 'replay') : html``}</td></tr>`)}
</tbody></table>${capped(entries.length, max, `patron-bridge failures list --source ${sourceId}`)}`}</section>`)}`, ctx);
}
