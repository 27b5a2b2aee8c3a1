/** The conflict log's entries: stable ids, and how a conflict seen (again) is recorded (pure). */
import { createHash } from 'node:crypto';
import { conflictKey, type Conflict, type ConflictEntry } from '../core/conflicts.js';

/** A conflict's id: short and stable, so the same disagreement seen again keeps its entry. */
export const conflictId = (sourceId: string, key: string): string => `c${createHash('sha256').update(`${sourceId}|${key}`).digest('hex').slice(0, 10)}`;

/** Pure: the log entry of a conflict seen (again) by `runId`. Held ones are open; decided ones are logged. */
export function recordConflict(prev: ConflictEntry | undefined, c: Conflict, runId: string, at: string): ConflictEntry {
  const key = conflictKey(c);
  const reopened = prev?.status === 'resolved';
  return {
    ...c,
    id: conflictId(c.sourceId, key),
    status: c.decision === 'review' ? 'open' : 'decided',
    firstSeen: prev && !reopened ? prev.firstSeen : at,
    lastSeen: at,
    runId,
  };
}
