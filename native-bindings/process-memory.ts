// What the process-wide handle table (src/shared-table.ts) stands on: memory
// that every worker_thread of the process can map, found by a name that every
// thread can read. Node gives neither across Workers (process.env is a copy
// per Worker; a SharedArrayBuffer must be posted to a Worker, and a library
// cannot reach Workers it did not start), so both come from the OS:
// - the C environment is one per process: a value set through the C library
//   (Linux) or kernel32 (Windows) in one thread is read in every thread;
// - memory from calloc / VirtualAlloc is the process's, and koffi.view maps it
//   as an ArrayBuffer in each thread (Atomics work on it);
// - creating the region once, when two threads load the library at the same
//   moment, needs a lock that exists before the library does: flockfile on
//   libc's stderr FILE (Node writes fd 2 through libuv, never through that
//   FILE, so holding it for microseconds blocks nothing), or a named mutex
//   on Windows.
// Declared on first use, and only the calls of the running platform.
import { readFileSync } from 'node:fs';
import koffi from 'koffi';

export interface ProcessMemory {
  /** Zeroed memory that lives as long as the process (never freed), or 0n. */
  alloc(bytes: number): bigint;
  /** The C environment's value of `name`, or null. */
  getenv(name: string): string | null;
  setenv(name: string, value: string): void;
  /** Runs `fn` holding a lock that is one per process and exists before any copy of the library. */
  exclusive<T>(fn: () => T): T;
  /**
   * What tells this process from another with the same pid: the environment
   * is inherited by child processes, so a value carries the process that
   * wrote it (a child in a new pid namespace can have its parent's pid number;
   * Linux's start time in /proc/self/stat tells them apart).
   */
  readonly identity: string;
}

function linux(): ProcessMemory {
  const lib = koffi.load('libc.so.6');
  const calloc = lib.func('void *calloc(size_t n, size_t size)');
  const getenv = lib.func('const char *getenv(const char *name)');
  const setenv = lib.func('int setenv(const char *name, const char *value, int overwrite)');
  const flockfile = lib.func('void flockfile(void *f)');
  const funlockfile = lib.func('void funlockfile(void *f)');
  const stderrFile = koffi.decode(lib.symbol('stderr'), 'void *');
  // Field 22 of /proc/self/stat: the start time in clock ticks since boot (the
  // command name in field 2 may hold spaces: count from its closing paren).
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return {
    // calloc of a large block maps fresh zero pages: they cost memory only once touched.
    alloc: (bytes) => BigInt((calloc(1, bytes) as bigint | number | null) ?? 0),
    getenv: (name) => getenv(name) as string | null,
    setenv: (name, value) => void setenv(name, value, 1),
    exclusive: (fn) => {
      flockfile(stderrFile);
      try {
        return fn();
      } finally {
        funlockfile(stderrFile);
      }
    },
    identity: `${process.pid}.${start}`,
  };
}

function windows(): ProcessMemory {
  const k32 = koffi.load('kernel32.dll');
  const VirtualAlloc = k32.func('void * __stdcall VirtualAlloc(void *addr, size_t size, uint32_t type, uint32_t protect)');
  const GetEnvironmentVariableA = k32.func(
    'uint32_t __stdcall GetEnvironmentVariableA(const char *name, _Out_ uint8_t *buf, uint32_t size)',
  );
  const SetEnvironmentVariableA = k32.func('int __stdcall SetEnvironmentVariableA(const char *name, const char *value)');
  const CreateMutexA = k32.func('void * __stdcall CreateMutexA(void *attrs, int owned, const char *name)');
  const WaitForSingleObject = k32.func('uint32_t __stdcall WaitForSingleObject(void *h, uint32_t ms)');
  const ReleaseMutex = k32.func('int __stdcall ReleaseMutex(void *h)');
  const CloseHandle = k32.func('int __stdcall CloseHandle(void *h)');
  const MEM_COMMIT_RESERVE = 0x3000;
  const PAGE_READWRITE = 0x04;
  const buf = Buffer.alloc(256);
  return {
    // Committed pages are zero and take physical memory only once touched.
    alloc: (bytes) => BigInt((VirtualAlloc(null, bytes, MEM_COMMIT_RESERVE, PAGE_READWRITE) as bigint | number | null) ?? 0),
    getenv: (name) => {
      const n = GetEnvironmentVariableA(name, buf, buf.length) as number;
      return n === 0 || n >= buf.length ? null : buf.toString('latin1', 0, n);
    },
    setenv: (name, value) => void SetEnvironmentVariableA(name, value),
    exclusive: (fn) => {
      // A mutex named after the process: one per process, whoever creates it first.
      const m = CreateMutexA(null, 0, `Local\\winsock-compat-table-${process.pid}`);
      WaitForSingleObject(m, 0xffffffff);
      try {
        return fn();
      } finally {
        ReleaseMutex(m);
        CloseHandle(m);
      }
    },
    identity: String(process.pid),
  };
}

let memory: ProcessMemory | undefined;

export function processMemory(): ProcessMemory {
  return (memory ??= process.platform === 'win32' ? windows() : linux());
}
