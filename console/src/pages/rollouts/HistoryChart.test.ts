// The chart sums each wave's newest counts at every sample time, oldest first.
import { describe, expect, it } from 'vitest';
import { totals } from './HistoryChart';

describe('rollout history', () => {
  it('sums the waves at each time', () => {
    expect(totals([
      { time: 20, wave: 1, counts: { scheduled: 5 } },
      { time: 10, wave: 0, counts: { downloading: 2 } },
      { time: 20, wave: 0, counts: { success: 2 } },
      { time: 30, wave: 1, counts: { success: 1, failed: 4 } },
    ])).toEqual([
      { time: 10, counts: { downloading: 2 } },
      { time: 20, counts: { scheduled: 5, success: 2 } },
      { time: 30, counts: { success: 3, failed: 4 } },
    ]);
  });
});
