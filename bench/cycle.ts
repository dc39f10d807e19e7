// One churn cycle through the Winsock API, shared by the benchmark
// (bench/churn.ts) and the descriptor-leak test (test/fixtures/churn.ts): it
// lives with the lab's churn (src/scenarios/churn.ts), so every churn in the
// project runs the same cycle: connect, accept, send 64 B, shutdown(SD_SEND),
// server drains to EOF and closes, client drains to EOF and closes. The bench
// takes it from the built package (bench/wsc.ts), with the API it measures.
export { check, churnCycle, loopbackListener } from './wsc.js';
