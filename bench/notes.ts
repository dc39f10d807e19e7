// The hand-written parts of docs/benchmarks.md: what limits each target that
// is not met (keyed by target id, shown only while it is missed or not run),
// and the profile of the call-cost gap. bench/main.ts writes them in. The
// figures quoted here come from bench/breakdown.ts and perf runs on
// 2026-12-01 (this 2-core machine, shared; each figure the minimum of several
// alternating runs) and say so; the tables above are the latest run's own.

const KOFFI_FLOOR =
  'What limits it: koffi itself. The bare koffi call, with no code of ours around it, already costs more than the target allows ' +
  '(see "Where a call\'s time goes" below), so no change inside this library can reach 1.15x for a syscall this cheap; ' +
  'it would take a cheaper FFI path (a V8 fast API call, or batching several calls into one native call).';

export const gapNotes: Record<string, string> = {
  'callcost-fionread': `${KOFFI_FLOOR} Our own share is ~15 ns of the ~220 ns call.`,
  'callcost-so_error': `${KOFFI_FLOOR} Phase 2 took our own share down again: optionArgs takes a static checker and returns the record (no closure and no { rec, info } object per call), options are found by number and the POSIX backend keys its kept values by the option's one OptionInfo object (no string key anywhere): 439 -> 333 ns median in one alternating run (bench/ab.ts, 6 rounds each; C ~170 ns). What is left of ours: four hash lookups (handle table, level set, the option table's two levels) and the SO_ERROR translation.`,
  'callcost-send1':
    "A 1-byte send is dominated by the kernel (~80% of the samples under perf), so koffi's ~50-100 ns and our ~25 ns are a " +
    'smaller share than for FIONREAD; the run-to-run spread of this row (the sink process draining on the other core, ' +
    'which other work shares) is as large as the gap. Our own code in send (handle lookup, buffer/length checks, the ' +
    'SD_RECEIVE check, flag translation) measured ~25 ns.',
  'churn-flat':
    "Syscalls, not JavaScript, make most of the gap now. strace -c over 3,000 cycles: 15 syscalls a cycle where C makes 10. The descriptor is always O_NONBLOCK (the promise API watches it through libuv), so a blocking connect is connect (EINPROGRESS) then poll (phase 2 dropped the getsockopt(SO_ERROR) after it when poll says writable without POLLERR/POLLHUP); each recv that returns 0 reads SO_ERROR to tell a FIN from a FIN followed by a reset (Winsock reports that abort: Wine's test_shutdown), two a cycle. `node --cpu-prof` over 30,000 cycles with the bench's sysctls: the backend functions that make a syscall hold ~80% of the samples (connect 22%, close 15%, send 9%, shutdown 6%, recv 5%, the poll 4%, SO_ERROR 4%, accept 4%, socket 4%; V8 charges the native call to its JS caller) and no function of ours without a syscall reaches 1%; GC 1.3%. What is left is koffi's N-API cost on ~15 calls and the extra syscalls. Phase 2 removed the per-call JavaScript the merges had added (string option keys, two Maps per socket record, the peer address decoded to text per accept, { ...addr } per connect, the address parsed per connect): 43.4k -> 46.7k cycles/s, median of 8 alternating runs at 10,000 cycles. The 0.30x measured before phase 2 was mostly the bench itself: its churn cycle came from src/scenarios/churn.ts, which loads the harness, whose close observer records every closed socket (a readlink and two name lookups per close): 25k against 38k cycles/s alternating. Closing the rest needs fewer syscalls: a descriptor left blocking until the promise API first watches it (one connect syscall, as in C), and the FIN/reset probe only when the poll state says a reset could have followed.",
  'bulk-flat':
    'Bulk is bound by the kernel copying 256 KiB per call; the per-call overhead (~1 µs at most) is under 1% of a 256 KiB send. ' +
    'A miss here is the spread between rounds on a shared machine, not a cost of ours.',
  'growth-recv':
    'The per-call work does not depend on the number of sockets (one Map lookup); a miss is noise: compare the rows at each size.',
  'growth-close':
    'closesocket does a Map lookup and delete; nothing scans. A miss is noise between sizes (each size is measured once per round).',
  'growth-poll':
    'Nothing in WSAPoll scans more than its own entries, but its per-entry cost is not flat from 100 to 1,000 entries, ' +
    "and perf says why: the kernel's own share (sock_poll + tcp_poll + fdget) grows from ~30% to ~45% of the samples, " +
    'because between two polls our per-entry work (an entry object and a Map lookup per entry in api.ts, a filter, ' +
    "closures and Buffer writes in posix.ts, 1,000 objects of garbage a call) pushes the 1,000 sockets' kernel structures " +
    "out of the cache that C's tight loop keeps warm; Map lookups (Builtins_FindOrderedHashMapEntry) are another 7-9%. " +
    'Fix: no per-call entry objects (keep the PollEntry array with the fds array, re-validate only what changed) and ' +
    'plain loops instead of filter/forEach closures in posix.ts too. The `perf:` commits removed the pollfd Buffer allocated ' +
    "per call (1 entry: 786 -> 577 ns) and api.ts's closures over every entry (1,000 entries: 216 -> 184 ns per entry).",
  'churn-promises':
    "A promise cycle makes the flat cycle's syscalls plus its waits: the accept and the client's last recv each wait on Node's loop (one epoll_ctl on the thread's epoll descriptor, which the wake-up disarms, and a loop turn; it was a uv_poll start and stop before: bench/ab.ts churn promises 8000, 6 alternating rounds, 14.0k -> 15.1k cycles/s median); connect no longer does on loopback (phase 2: one WSAPoll look after EINPROGRESS, 14.7k -> 16.2k cycles/s alternating at 8,000 cycles), and a queued operation is one object instead of four closures with one Interest per socket re-registered (23.5k -> 24.2k). The rate grows with the run's length (2,000 cycles ~11-16k, 8,000 ~21-25k cycles/s in one process): V8 optimises the queue late and the warm-up is 200 cycles, so the quick run reads lower than the full one. `--cpu-prof`: the syscall-making backend functions ~45% of the samples, the watch's update (uv_poll start/stop) 5.6%, idle 10%.",
  'bulk-promises':
    "Not profiled in phase 2. The flat row of the same run is within its target and C's own rounds spread by ~15%, so part of a few-percent miss is noise; what the promise path adds per 256 KiB is a settled promise and, whenever the send buffer is full, a wait on Node's loop (a uv_poll wake-up and a loop turn before the next attempt), where the flat sender blocks in poll().",
  'scale-memory':
    "Workload 4 itself (bench/run.sh --only=scale, 3 rounds): 4.45 KiB per connection before one epoll descriptor per thread, 2.92 after (node:net 3.49 and 3.35 in those runs: 1.28x -> 0.87x). Measured stage by stage with bench/scale-stages.ts (10,000 connections; RSS and V8 heap after a full GC; a heap snapshot diff by constructor): an accepted socket is ~400 bytes of heap and 0.65-0.95 KiB of RSS (its record and handle table entry: the socket record is not this workload's to shrink); a pending P.recv on it was 1,398 bytes of heap and 2.5 KiB of RSS and is now 662 bytes and 1.05-1.2 KiB (same runs, alternating). What went: koffi's PollHandle and the native uv_poll_t per socket (~1.1 KiB of RSS outside the JS heap) and the Watch's Set of interests and onPoll closure, for one epoll descriptor per thread behind a single uv_poll handle (src/backends/watch-epoll.ts: a watched socket is a 64-byte registration object, its first interest stored inline, and a Map entry); the separate Interest object, its closure and context (a socket's Waits is its own Interest, a class with a method); the two queue arrays (a shared frozen empty one, and [op] sized for one); recv's step closure and its context (a shared attempt function reading the arguments from the queued operation). What a pending recv holds now (heap snapshot diff): the Queued operation (112 B), the promise's resolve/reject functions and their context (168 B), the Waits record (80 B), the registration (64 B), the Promise (48 B), the [op] array (64 B), Map entries (~90 B). The rest of the RSS per connection is V8's young generation grown during the burst (new space's physical size varies by ~0.3 KiB per connection between runs) and the workload's own per-connection async function. Cutting further means a smaller socket record (it is most of what remains) and fewer objects per pending operation than a Promise with its resolving functions, which JavaScript does not offer.",
  'scale-back': 'Every descriptor and libuv handle opened for the run must be closed at its end; a miss names a leak to find.',
};

export const profileNotes = `## Where a call's time goes (issue 10, phase 1)

Tools: \`bench/breakdown.ts\` runs the same operation through three layers in
one process (the bare koffi function, the POSIX backend's function given its
record, the public API) and takes the differences, plus the heap growth per
call over a loop with no GC in it; \`bench/profile.ts\` runs one operation
under \`node --cpu-prof\`; \`perf record\` (with \`--perf-basic-prof\`, started
after warm-up) splits the samples between the kernel, libc, koffi/N-API and
JIT code. Run them inside a namespace (see their headers).

What \`--cpu-prof\` shows: after TurboFan inlines the wrappers, ~all of a
call's samples land in the backend function that makes the koffi call
(\`ioctlInt\` 50-58%, \`getsockopt\` 69-70%, \`send\` 86% of the whole
process's samples, GC ~2%), because V8's profiler charges the native call,
syscall included, to its JS caller. The only other frame of ours that
showed up was \`optionInfo\` (1.3% before the fix, gone after). So the
split comes from the layer subtraction and from perf:

| call | C | bare koffi | backend | API | koffi's share | ours | allocated / call |
| --- | --- | --- | --- | --- | --- | --- | --- |
| ioctlsocket(FIONREAD) | 150 ns | 202 ns | 208 ns | 219 ns | ~50 ns | ~17 ns (lookup, argp check, SD_RECEIVE check) | 4 B |
| getsockopt(SO_ERROR), before | 155 ns | 235 ns | 302 ns | 358 ns | ~80 ns | ~120 ns (two string-keyed lookups) | 152 B |
| getsockopt(SO_ERROR), after the perf commits | 149 ns | 240 ns | 256 ns | 295 ns | ~90 ns | ~55 ns | 40 B |
| send 1 B | 320-520 ns | 466-470 ns | 465-467 ns | 491-492 ns | up to ~150 ns | ~25 ns | 0 B |

(Single runs at load ~2; the machine is shared, so the absolute figures move
by 2x with other work, the differences much less.) perf, steady state after
the fixes, share of samples: FIONREAD kernel 58% + libc's syscall wrapper
15% (what C pays too), Node's N-API and V8 runtime called by koffi 17% +
koffi.node 5% (koffi), JIT code (our JavaScript and the loop) 5%.
getsockopt(SO_ERROR): kernel+libc 61%, koffi+N-API 30%, JIT 9% (of which
\`Builtins_FindOrderedHashMapEntry\`, the Map lookups, 3.6%). send 1 B:
kernel+libc 89%, koffi+N-API 8%, JIT 2%. koffi's share is N-API marshalling:
\`napi_get_cb_info\`, \`napi_get_value_int64\` per integer, \`napi_get_buffer_info\`
and \`JSTypedArray::GetBuffer\` per pointer argument, \`napi_create_int32\` for
the result. A \`koffi.alloc\` pointer instead of an Int32Array saves ~5 ns;
declaring the argument \`_Out_ int *\` (koffi copies back into a JS array)
doubles the cost; none of the other declarations tried (typed \`int *\`, a 32-bit request) was cheaper.

By item:
- **Argument validation**: \`typeof\` checks and \`Array.isArray\`: a few ns;
  not worth touching. \`checkSockAddr\` on connect: ~20 ns.
- **Handle lookup**: one \`Map.get\` on a small-integer key (handles are Smis
  on the main thread: \`threadId * 2^32 + 0x1000\` is 0x1000 there; in a Worker
  they are heap numbers, which is slower to hash but still O(1)): ~10 ns. Flat
  from 10 to 10,000 open sockets (workload 5).
- **Shutdown-state bookkeeping**: \`enforceReceiveShutdown\` is one property
  read unless SD_RECEIVE is armed; the send/recv state checks are field reads:
  under 5 ns together (backend minus koffi for FIONREAD and send).
- **errno reads**: only on failure; none of the measured calls fails.
- **Struct marshalling**: the scratch Int32Array/Uint32Array buffers are
  already module-level; what costs is koffi's per-pointer N-API work (above).
  WSAPoll allocated its pollfd Buffer per call: fixed (1 entry 786 -> 577 ns).
  Addresses are parsed from text on every connect/bind/sendto (\`ipToBytes\`,
  ~220 ns): left for the connect rewrite.
- **Closures or declarations per call**: none per call in the hot paths
  measured; koffi functions are declared once at load. connect/accept build
  a closure and a tuple for \`untimed\` (~0.1 µs), left for the rewrite.
- **Teardown** (no target): with linger {1,0} our close makes two syscalls
  where C's makes one: the library keeps Winsock's linger in the record and
  the kernel's off until closesocket (so that a {1,N} close never blocks the
  Linux way), then sets SO_LINGER {1,0} and closes. Setting the kernel's
  linger at setsockopt time for {1,0} only (a zero linger never blocks)
  would remove it; it touches closesocket's body, left for its rewrite.
- **String keys**: getsockopt/setsockopt built \`\${level}:\${name}\` twice per
  call (api.ts's option table, posix.ts's native option map): now numeric
  (\`perf:\` commits). Before/after in one run (the trees alternating, 8 runs
  each, minimum): getsockopt(SO_ERROR) through the API 362 -> 295 ns, the
  backend's own share (backend minus bare koffi) 76 -> 16 ns, 152 -> 40 bytes
  allocated a call; FIONREAD and send unchanged (234 -> 223, 543 -> 603 ns:
  noise). koffi's own share on send (a Buffer and four arguments) came out
  larger than on FIONREAD in that run (bare koffi 509 ns against C's 298 ns at
  the minimum), which this phase did not take further.
`;
