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
    "What is left is koffi's cost per call and three syscalls that the library's constraints make inherent. strace -f -c (the difference between a 2,200- and a 4,200-cycle run, so start-up cancels out): 13 syscalls a cycle against C's 10. Ours: socket, connect (EINPROGRESS), poll, accept4, sendto, shutdown, recvfrom x3, getsockopt(SO_ERROR) x2, close x2; C: socket, connect, accept, sendto, shutdown, recvfrom x3, close x2. (1) The poll after connect: the descriptor stays O_NONBLOCK (the promise layer and the cross-thread wake-ups rely on it), so a blocking connect has to wait for the handshake with a syscall after EINPROGRESS, and poll is the only one that waits (a second connect, SO_ERROR or TCP_INFO would each cost the same syscall and could not wait). (2) The two getsockopt(SO_ERROR): the FIN/reset probe of each recv that returns 0. Linux returns 0 for a FIN even when a reset followed it (tcp_recvmsg stops at SOCK_DONE before it looks at sk_err) and keeps the reset only in SO_ERROR, which Winsock reports at that recv (Wine's test_shutdown: WSAECONNABORTED, pinned by test/posix/review-regressions.test.ts). Neither recv of the cycle follows a poll, and the kernel state that could rule a reset out (the user socket is detached once TIME_WAIT is reached, but CLOSE_WAIT, CLOSING and LAST_ACK all take a reset) is itself a syscall (TCP_INFO); nothing the record knows without the kernel rules it out, so no cheaper condition is provably equivalent and the probe stays. What they cost, as bare koffi cycles (the same syscalls straight through koffi with no library code, fresh namespace per run, alternating, medians): C's 10 syscalls ~61k cycles/s, our 13 ~55k, C itself ~68k: koffi alone on C's own syscalls is ~0.9x C, under the 0.95x target before any code of ours runs. Our JavaScript adds ~1.5-3 µs a cycle (layer subtraction in one bundled process, minima of 9 rotated rounds: bare 18.5-19.8 µs, backend +1.3-1.9 µs, API +0-1.4 µs), spread over dozens of sites each under 0.6% of the samples in perf (Map lookups, IC loads, Buffer fills and allocation); the largest single one, peerBytes' Buffer#copy, went 105 -> 55 ns a call. Phase 2 had removed the per-call JavaScript the merges had added (43.4k -> 46.7k cycles/s) and the harness's close observer from the bench (25k against 38k cycles/s). The process-wide handle table (issue 9: a SOCKET valid in every worker_thread, its state in a slot of native memory) costs flat churn about a quarter: bench/ab.ts 4 alternating rounds at 5,000 cycles, 88a4e55 against the table, 30.9k vs 23.9k cycles/s; after its hot-path commit (plain writes while one copy of the library runs, a 32-bit free-list head, no BroadcastChannel message without another copy) 32.7k vs 24.1k. In one process (socket+connect / accept / send+shutdown / recv / two closes, us a cycle): 10.5/2.5/4.3/1.4/5.9 against 11.2/2.9/5.0/1.9/6.6: the cost is spread over every call (the lookup's slot and generation check, own() on each field, Winsock state read through typed-array accessors, the linger object), not in one place; syscalls are the same 13 a cycle (strace -f -c).",
  'bulk-flat':
    'Bulk is bound by the kernel copying 256 KiB per call; the per-call overhead (~1 µs at most) is under 1% of a 256 KiB send. ' +
    'A miss here is the spread between rounds on a shared machine, not a cost of ours.',
  'growth-recv':
    'The per-call work does not depend on the number of sockets (one Map lookup); a miss is noise: compare the rows at each size.',
  'growth-close':
    'closesocket does a Map lookup and delete; nothing scans. A miss is noise between sizes (each size is measured once per round).',
  'growth-poll':
    "WSAPoll makes no object, closure, array or Set per call any more: api.ts keeps the backend's entries with the program's fds array (a WeakMap) and refills them in place, looking each handle up again on every call; posix.ts fills and reads the pollfd array through native-endian views in plain loops, and looks for SD_RECEIVE resets after the wait only when an entry's socket is under that rule. bench/ab.ts, 8 alternating rounds (`node --import tsx bench/ab.ts OLD NEW 8 growth flat 20000 500 1000000`): per entry 625 -> 484 ns at 1 entry, 159 -> 105 ns at 100, 239 -> 171 ns at 1,000. A readable entry no longer costs a FIONREAD when its revents show neither a FIN nor a reset (POLLIN without POLLRDHUP/POLLHUP/POLLERR is data): a 1-entry readable WSAPoll 890 -> 590 ns. The growth from 100 to 1,000 entries did not change (1.50x -> 1.63x in that run): what grows is the handle lookup itself, one Map.get per entry on a table of 10,000 sockets, whose hash buckets are spread out of the cache. In one process (WSAPoll against bare koffi poll() of the same descriptors, 10,000 sockets open): the real build grows 1.49-1.62x, an experimental build that reused the previous call's record without the lookup 1.14-1.32x (not shippable: a handle closed meanwhile would still be polled), bare poll() 1.07-1.19x. Closing the gap needs a validity check cheaper than the lookup (a table generation bumped on every close, or a slot array indexed by handle), which belongs to the handle table being made process-wide: a per-thread counter would miss a close made on another thread.",
  'churn-promises':
    "A promise cycle makes the flat cycle's syscalls plus its waits: the accept and the client's last recv each wait on Node's loop (one epoll_ctl on the thread's epoll descriptor, which the wake-up disarms, and a loop turn; it was a uv_poll start and stop before: bench/ab.ts churn promises 8000, 6 alternating rounds, 14.0k -> 15.1k cycles/s median); connect no longer does on loopback (phase 2: one WSAPoll look after EINPROGRESS, 14.7k -> 16.2k cycles/s alternating at 8,000 cycles), and a queued operation is one object instead of four closures with one Interest per socket re-registered (23.5k -> 24.2k). The rate grows with the run's length (2,000 cycles ~11-16k, 8,000 ~21-25k cycles/s in one process): V8 optimises the queue late and the warm-up is 200 cycles, so the quick run reads lower than the full one. `--cpu-prof`: the syscall-making backend functions ~45% of the samples, the watch's update (uv_poll start/stop) 5.6%, idle 10%. This phase: 20 -> 16 syscalls a cycle (strace -c over 2,100 cycles, before the epoll watch): the 3 epoll_ctl of stopping and restarting the listener's and the sockets' watches (kept to the end of the turn now) and the SO_ERROR after connect's look when it saw POLLWRNORM alone (writable without POLLERR/POLLHUP: established). bench/ab.ts, 10 alternating rounds at 8,000 cycles, load 3-4: 9.4k -> 12.4k and 13.5k -> 16.2k cycles/s (two runs, old -> new).",
  'bulk-promises':
    "Profiled with `node --cpu-prof` on both processes and strace -ff (1 GiB): our JavaScript is ~2-3% of the sender's samples (once, deliver, the watch's update) against ~26% in the send syscall; the sender's sends almost never block (4,098 sendto for 4,096 chunks, no EAGAIN); the promise receiver waited 870 times in 5,104 recvs, and every wait stopped and restarted its uv_poll (libuv deletes the descriptor from its epoll set on stop and adds it again on start): 2,628 epoll_ctl. Fixed: a socket whose queue empties keeps its watch until the end of the turn, unless nothing was queued again by then (same run: 30 epoll_ctl). Split by side (alternating runs in fresh namespaces, 512 MiB, medians): flat sender + flat receiver 2,480 MiB/s, promise sender + flat receiver 2,250, flat sender + promise receiver 2,240, both promises 2,165, C 2,716 (load 2-5 on the 2 cores the sender, the receiver and other work share): each promise side costs CPU the other side then lacks. Three bench/ab.ts runs of the watch fix at load 3-6 disagreed (1,979 vs 1,840, 1,708 vs 1,532 and 1,596 vs 1,651 MiB/s, old vs new, 256 MiB): inside the noise.",
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
