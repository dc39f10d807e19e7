// The library under test: the BUILT package (dist/, what `import 'winsock-compat'`
// gives a user), not the TypeScript sources through tsx. The sources under tsx
// are not what users run: every `K.SOCK_STREAM` there is a getter on a
// transpiled module namespace, and a bundle inlines or hoists what tsx cannot.
// bench/main.ts rebuilds dist/ first when a source is newer than it.
// WSC_BENCH_DIST=/other/dist measures another build (an A/B of two builds in
// one run: bench/ab.ts).
import { pathToFileURL } from 'node:url';
import type * as Api from '../src/index.js';
import type * as PromisesApi from '../src/promises.js';
import { churnKit } from '../src/scenarios/churn-cycle.js';

const dist = process.env.WSC_BENCH_DIST
  ? pathToFileURL(`${process.env.WSC_BENCH_DIST.replace(/\/$/, '')}/`)
  : new URL('../dist/', import.meta.url);

export const W = (await import(new URL('index.js', dist).href)) as typeof Api;
export const Promises = (await import(new URL('promises.js', dist).href)) as typeof PromisesApi;
/**
 * The project's one churn cycle (src/scenarios/churn-cycle.ts) over this build.
 * Not from dist/scenarios.js: that loads the harness, whose close observer
 * records every closed socket (a readlink and two name lookups per close).
 */
export const { check, churnCycle, loopbackListener } = churnKit(W);
export type { SockAddr, SOCKET } from '../src/index.js';
