// The hand-written parts of docs/benchmarks.md: what limits each target that
// is not met (keyed by target id, shown only while it is missed or not run),
// and the profile of the call-cost gap. bench/main.ts writes them in.

const NO_PROMISES =
  'The promise API (src/promises.ts) does not exist yet; the contender is written (bench/promises-hook.ts marks the hook) and runs as soon as it lands.';

export const gapNotes: Record<string, string> = {
  'churn-promises': NO_PROMISES,
  'bulk-promises': NO_PROMISES,
  'scale-memory': NO_PROMISES,
  'scale-back': NO_PROMISES,
};

export const profileNotes = `## Where a call's time goes

(To be filled from the profile.)
`;
