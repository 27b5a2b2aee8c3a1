/** Response bodies exactly as 6.17.2 shapes them: success envelope, error envelopes, the PHP fatal page. */
import type { Principal } from './context.js';
import { hasPerm } from './context.js';
import type { ApiError } from './api-error.js';

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

export const JSON_TYPE = 'application/json';
export const HTML_TYPE = 'text/html; charset=UTF-8';

export const json = (status: number, body: unknown): HttpReply => ({ status, contentType: JSON_TYPE, body: JSON.stringify(body) });

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Error ids look like "xvxj-ayBQ-h5rO". */
export function errorId(random: () => number): string {
  const part = () => Array.from({ length: 4 }, () => ALNUM[Math.floor(random() * ALNUM.length)]).join('');
  return `${part()}-${part()}-${part()}`;
}

export interface SuccessParts {
  entity: string;
  action: string;
  values: unknown;
  count: number;
  countFetched: number;
  countMatched?: number;
}

export function successEnvelope(p: SuccessParts): Record<string, unknown> {
  const out: Record<string, unknown> = {
    values: p.values, entity: p.entity, action: p.action, debug: null, version: 4, count: p.count, countFetched: p.countFetched,
  };
  if (p.countMatched !== undefined) out['countMatched'] = p.countMatched;
  return out;
}

/**
 * Users with "view debug output" see error_code 0 and the real message (plus `debug` when they asked for it);
 * everyone else gets error_code "1" and "Sorry an error occurred ..." (recorded).
 */
export function errorEnvelope(err: ApiError, principal: Principal, wantDebug: boolean, random: () => number): Record<string, unknown> {
  const id = errorId(random);
  if (!hasPerm(principal, 'view debug output')) {
    return { error_code: '1', error_message: `Sorry an error occurred and your request was not completed. (Error ID: ${id})`, status: err.status };
  }
  const out: Record<string, unknown> = { error_id: id, error_code: 0, error_message: err.message };
  if (wantDebug && err.debug) out['debug'] = err.debug;
  out['status'] = err.status;
  return out;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Standalone fatal-error page a PHP TypeError produces (HTTP 500, text/html). */
export function fatalPage(message: string): HttpReply {
  const body = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">

<head>
  <title>Error</title>
  <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
</head>
<body>
<div id="crm-container" class="crm-container" lang="en" xml:lang="en">
  <div class="crm-fatal">
    <div class="crm-fatal-messages">
      <div class="crm-section crm-error-message">
        ${escapeHtml(message)}
      </div>
    </div>
  </div>
</div> </body>
</html>
`;
  return { status: 500, contentType: HTML_TYPE, body };
}
