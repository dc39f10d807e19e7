// 10,000 connect / send / half-close / drain / close cycles with the Winsock API
// leave the descriptor count flat, no socket and no handle behind. Run inside a
// namespace of its own: the cycles leave ~10,000 TIME_WAIT entries, which die
// with the namespace instead of crowding the machine's ephemeral ports.
import { describe, expect, it } from 'vitest';
import { churnIsolated, isolated, titled } from './helpers.js';

describe('descriptor count over 10,000 cycles', () => {
  it.skipIf(isolated.skip)(
    titled('is flat (isolated namespace)', isolated),
    async () => {
      const { churn } = await churnIsolated(10_000);
      expect(churn.cycles).toBe(10_000);
      expect(churn.failures).toBe(0);
      expect(churn.fdsAfter).toBe(churn.fdsBefore);
      expect(churn.fdsPeak).toBeLessThanOrEqual(churn.fdsBefore + 2);
      expect(churn.socketsAfter).toBe(churn.socketsBefore);
      expect(churn.handlesAfter).toBe(churn.handlesBefore);
      // The TIME_WAIT backlog the namespace absorbed (and took with it when deleted).
      expect(churn.timeWaitAfter).toBeGreaterThan(5_000);
      console.log(
        `churn: ${churn.cycles} cycles at ${churn.cyclesPerSecond}/s, fds ${churn.fdsBefore} -> ${churn.fdsAfter} (peak ${churn.fdsPeak}), TIME_WAIT left in the namespace: ${churn.timeWaitAfter}`,
      );
    },
    120_000,
  );
});
