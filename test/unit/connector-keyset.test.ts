import { describe, it, expect } from '@jest/globals';
import { advancesKeyset } from '../../connectors/connector.js';

const at = (updatedAt: string, id: string) => ({ updatedAt, id });

describe('advancesKeyset (a page must end strictly after the position it was asked to start after)', () => {
  it.each([
    ['first page of a window', null, at('2025-01-31T10:00:00.000Z', '5'), true],
    ['empty page ends the window', at('2025-01-31T10:00:00.000Z', '5'), null, true],
    ['later timestamp', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T10:00:01.000Z', '1'), true],
    ['same second, higher id', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T10:00:00.000Z', '55'), true],
    ['same second, ids compared as numbers (9 < 10)', at('2025-01-31T10:00:00.000Z', '9'), at('2025-01-31T10:00:00.000Z', '10'), true],
    ['same instant in another notation, higher id', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T11:00:00+01:00', '6'), true],
    ['the same position again (filter ignored)', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T10:00:00.000Z', '5'), false],
    ['same instant in another notation, same id', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T11:00:00+01:00', '5'), false],
    ['same second, lower id', at('2025-01-31T10:00:00.000Z', '50'), at('2025-01-31T10:00:00.000Z', '7'), false],
    ['earlier timestamp (bounds read an hour off)', at('2025-01-31T10:00:00.000Z', '5'), at('2025-01-31T09:00:00.000Z', '900'), false],
  ])('%s', (_name, after, last, expected) => {
    expect(advancesKeyset({ after }, { last })).toBe(expected);
  });
});
