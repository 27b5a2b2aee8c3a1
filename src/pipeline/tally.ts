/** Counting what became of a record in a page; a dry run is also told which record it was (PipelineDeps.onRecord). */
import type { PageResult } from '../state/ports.js';
import type { PipelineDeps } from './types.js';

export type RecordAction = 'created' | 'updated' | 'linked' | 'unchanged' | 'skipped' | 'held' | 'deleted';

export function tally(deps: Pick<PipelineDeps, 'onRecord'>, result: PageResult, action: RecordAction, recordId: string): void {
  result[action] += 1;
  deps.onRecord?.(recordId, action);
}
