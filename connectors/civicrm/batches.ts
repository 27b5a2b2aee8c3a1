/** Writing many records to CiviCRM in chunks, where one bad record must not sink the others. */
import { classifyError, type BridgeError } from '../../src/core/errors.js';

/** Errors about the whole call, not one record: trying records one by one cannot help. */
export const WHOLE_CALL_CODES = new Set(['CRM_AUTH', 'CRM_FORBIDDEN']);

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Saves one chunk; when CiviCRM refuses it (not transiently, not for the whole call), `onFallback` hears
 * why and each item is saved alone (save + match is idempotent: items the failed chunk wrote are written
 * again). An item refused alone goes to `refused`; transient and whole-call errors are thrown (the page is retried).
 */
export async function saveChunk<T>(
  chunk: readonly T[],
  save: (items: readonly T[]) => Promise<void>,
  handlers: { onFallback: (error: BridgeError) => void; refused: (item: T, error: BridgeError) => void },
): Promise<void> {
  const fatal = (err: unknown): BridgeError => {
    const e = classifyError(err);
    if (e.transient || WHOLE_CALL_CODES.has(e.code)) throw e;
    return e;
  };
  try {
    await save(chunk);
    return;
  } catch (err) {
    handlers.onFallback(fatal(err));
  }
  for (const item of chunk) {
    try {
      await save([item]);
    } catch (err) {
      handlers.refused(item, fatal(err));
    }
  }
}
