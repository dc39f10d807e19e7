// @ts-check
// The contract scenarios live in the registry (src/scenarios/contract.js, read
// through src/scenarios/index.ts); this file keeps their old import path for
// the runner and the Wine lane's test. Plain JavaScript either way: it runs in
// Windows Node under Wine, where no TypeScript loader starts.
export * from '../../src/scenarios/contract.js';
