// Helpers the bench workers share: where the compiled C programs are, how a
// worker hands its result to bench/main.ts, and small process utilities.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** A C program compiled by bench/main.ts (its cache directory is in WSC_BENCH_BIN). */
export function cBinary(name: string): string {
  const dir = process.env.WSC_BENCH_BIN;
  if (!dir) throw new Error('WSC_BENCH_BIN is not set: run the workers through `npm run bench`');
  return join(dir, name);
}

/** The worker's result: one JSON line on stdout, read by bench/main.ts. */
export function emit(result: Record<string, number | boolean>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export const now = (): bigint => process.hrtime.bigint();
export const nsSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0);

export const fdCount = (): number => readdirSync('/proc/self/fd').length;

/** Node's active handles and requests (libuv watchers, timers, sockets, child processes). */
export const activeResources = (): number => process.getActiveResourcesInfo().length;

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A child process whose stdout is read line by line. */
export interface Helper {
  proc: ChildProcessByStdio<Writable, Readable, null>;
  /** The next line the child prints (rejects if it exits first). */
  line(): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startHelper(cmd: string, args: string[]): Helper {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let ended = false;
  createInterface({ input: proc.stdout }).on('line', (l) => {
    const w = waiters.shift();
    if (w) w.resolve(l);
    else lines.push(l);
  });
  const exited = new Promise<number | null>((r) =>
    proc.on('close', (code) => {
      ended = true;
      for (const w of waiters.splice(0)) w.reject(new Error(`${cmd} exited (${code}) before printing a line`));
      r(code);
    }),
  );
  return {
    proc,
    exited,
    line: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : ended
          ? Promise.reject(new Error(`${cmd} already exited`))
          : new Promise((resolve, reject) => waiters.push({ resolve, reject })),
  };
}

/** This worker run again as a helper process (e.g. a bulk receiver). */
export function startWorker(workload: string, role: string, args: string[]): Helper {
  const script = new URL('./worker.ts', import.meta.url).pathname;
  return startHelper(process.execPath, ['--import', 'tsx', script, workload, role, ...args]);
}
