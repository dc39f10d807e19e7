// Sockets across worker_threads, run the same way by Linux Node (posix.ts)
// and by Windows Node under Wine (win32.ts over ws2_32.dll): prints one JSON
// object of results that test/windows/sockets-across-threads-lane.test.ts
// compares with Windows' documented answers. Every wait is bounded.
//   node test/windows/threads-lane.mjs [--dist FILE]
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const i = process.argv.indexOf('--dist');
const dist = i > 0 ? process.argv[i + 1] : undefined;
const lib = dist ? pathToFileURL(dist).href : new URL('../../dist/index.js', import.meta.url).href;
const W = await import(lib);

const out = { backend: W.backendName };
const ok = (rc, what) => {
  if (rc === W.SOCKET_ERROR || rc === W.INVALID_SOCKET) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
};
const name = (code) => (code === 0 ? 0 : W.wsaErrorName(code));
const lastError = (rc) => (rc === W.SOCKET_ERROR ? name(W.WSAGetLastError()) : rc);

function pair() {
  const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  ok(W.listen(l, 4), 'listen');
  const a = {};
  ok(W.getsockname(l, a), 'getsockname');
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.connect(c, a), 'connect');
  const s = ok(W.accept(l), 'accept');
  for (const h of [c, s]) ok(W.setsockopt(h, W.SOL_SOCKET, W.SO_RCVTIMEO, 5000), 'SO_RCVTIMEO');
  return { l, c, s };
}

/** Runs `body` (W, data, say in scope) in a Worker that loads the same library; resolves with its return. */
function inWorker(body, data = {}, onSay) {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.lib);
    const data = workerData.data;
    const say = (m) => parentPort.postMessage({ say: m });
    const name = (code) => (code === 0 ? 0 : W.wsaErrorName(code));
    const lastError = (rc) => (rc === W.SOCKET_ERROR ? name(W.WSAGetLastError()) : rc);
    try { parentPort.postMessage({ result: await (async () => { ${body} })() }); }
    catch (e) { parentPort.postMessage({ result: { threw: String(e && e.message || e) } }); }`;
  return new Promise((resolve) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { lib, data } });
    const timer = setTimeout(() => (w.terminate(), resolve({ threw: 'worker timed out' })), 15000);
    w.on('message', (m) => {
      if ('say' in m) return onSay?.(m.say);
      clearTimeout(timer);
      w.terminate();
      resolve(m.result);
    });
    w.on('error', (e) => (clearTimeout(timer), resolve({ threw: String(e) })));
  });
}

async function step(id, fn) {
  try {
    out[id] = await fn();
  } catch (e) {
    out[id] = { threw: String(e?.message ?? e) };
  }
}

ok(W.WSAStartup(W.MAKEWORD(2, 2)) === 0 ? 0 : -1, 'WSAStartup');

// A Worker with no WSAStartup of its own serves a connection the main thread accepted.
await step('workerServes', async () => {
  const p = pair();
  const served = inWorker(
    `const b = Buffer.alloc(16); const n = W.recv(data.s, b, 16, 0);
     const sent = W.send(data.s, Buffer.from(b.toString('latin1', 0, Math.max(0, n)).toUpperCase()));
     return { n: lastError(n), sent: lastError(sent), close: lastError(W.closesocket(data.s)) };`,
    { s: p.s },
  );
  ok(W.send(p.c, Buffer.from('hello')), 'send');
  const b = Buffer.alloc(16);
  const echoed = W.recv(p.c, b, 16, 0);
  const r = await served;
  const gone = lastError(W.send(p.s, Buffer.from('x')));
  for (const h of [p.c, p.l]) W.closesocket(h);
  return { worker: r, echoed: b.toString('latin1', 0, Math.max(0, echoed)), afterWorkerClose: gone };
});

// The socket's state is one: a shutdown here is WSAESHUTDOWN in the Worker; a mode set there holds here.
await step('stateShared', async () => {
  const p = pair();
  ok(W.shutdown(p.c, W.SD_SEND), 'shutdown');
  const r = await inWorker(
    `return { send: lastError(W.send(data.c, Buffer.from('x'))), fionbio: lastError(W.ioctlsocket(data.s, W.FIONBIO, [1])) };`,
    p,
  );
  const recvHere = lastError(W.recv(p.s, Buffer.alloc(4), 4, W.MSG_PEEK));
  // The FIN is there: read as 0 whatever the mode. What the Worker's FIONBIO changed shows on a socket with nothing to read:
  const q = pair();
  await inWorker(`return W.ioctlsocket(data.s, W.FIONBIO, [1]);`, q);
  const wouldBlock = lastError(W.recv(q.s, Buffer.alloc(4), 4, 0));
  for (const h of [p.c, p.s, p.l, q.c, q.s, q.l]) W.closesocket(h);
  return { worker: r, recvAfterFin: recvHere, recvAfterWorkerFionbio: wouldBlock };
});

// The count is the process's: a Worker's WSAStartup/WSACleanup pair is not the last WSACleanup.
await step('startupIsProcess', async () => {
  const p = pair();
  const r = await inWorker(`return [W.WSAStartup(0x202), W.WSACleanup()];`);
  const still = lastError(W.send(p.c, Buffer.from('ok')));
  for (const h of [p.c, p.s, p.l]) W.closesocket(h);
  return { worker: r, sendAfter: still };
});

// Handles are never reused across threads.
await step('handlesDistinct', async () => {
  const mine = [];
  for (let k = 0; k < 50; k++) {
    const h = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0), 'socket');
    mine.push(h);
    W.closesocket(h);
  }
  const theirs = await inWorker(
    `const hs = []; for (let k = 0; k < 50; k++) { const h = W.socket(W.AF_INET, W.SOCK_DGRAM, 0); hs.push(h); W.closesocket(h); }
    return { hs, stale: lastError(W.send(data.old, Buffer.from('x'))) };`,
    { old: mine[0] },
  );
  const all = [...mine, ...(theirs.hs ?? [])];
  return { distinct: new Set(all).size === all.length && all.length === 100, stale: theirs.stale };
});

// closesocket here cancels a blocking recv pending in the Worker.
await step('closeCancelsBlockingRecv', async () => {
  const p = pair();
  let entered;
  const ready = new Promise((r) => (entered = r));
  const worker = inWorker(
    `say('blocking'); const t = Date.now(); const rc = W.recv(data.s, Buffer.alloc(4), 4, 0); return { rc: lastError(rc), quick: Date.now() - t < 4000 };`,
    { s: p.s },
    () => entered(),
  );
  await ready;
  await new Promise((r) => setTimeout(r, 300));
  const close = lastError(W.closesocket(p.s));
  const r = await worker;
  const peer = lastError(W.recv(p.c, Buffer.alloc(4), 4, 0));
  for (const h of [p.c, p.l]) W.closesocket(h);
  return { close, worker: r, peer };
});

W.WSACleanup();
console.log(JSON.stringify(out));
