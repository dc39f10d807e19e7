// Rule: a pending operation keeps the process alive, a background rule does
// not. With one readiness source per thread (Linux: one epoll descriptor on
// Node's loop) that is a count of the waiting interests that hold the loop: a
// program whose only reason to live is a pending P.recv (the data comes from
// an unref'd timer) stays until the recv completes, and then exits by itself
// although another socket's SD_RECEIVE watch is still registered on the same
// descriptor. Run as a child process that never calls process.exit.
import { expect, it } from 'vitest';
import { runModuleScript } from '../helpers.js';

it('a pending recv holds the loop until it completes; the SD_RECEIVE watch left behind does not', () => {
  const script = `
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 5);
    const a = {}; W.getsockname(l, a);
    const pair = () => { const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0); W.connect(c, a); return [c, W.accept(l)]; };
    const [c, s] = pair();
    const [, quiet] = pair();
    W.shutdown(quiet, W.SD_RECEIVE); // a background watch, registered until the end
    const buf = Buffer.alloc(8);
    const t0 = Date.now();
    const r = P.recv(s, buf);
    // An unref'd timer cannot keep the process alive: only the pending recv can.
    setTimeout(() => W.send(c, Buffer.from('late')), 300).unref();
    const n = await r;
    console.log('got', buf.subarray(0, n).toString(), Date.now() - t0 >= 250);
    W.closesocket(c);
    W.closesocket(s);
    W.closesocket(l);
  `;
  const t0 = Date.now();
  const r = runModuleScript(script);
  expect(r.stderr).toBe('');
  expect(r.stdout.split('\n').filter(Boolean)).toEqual(['got late true']);
  expect(r.signal).toBeNull(); // not killed by the timeout: it exited by itself
  expect(r.status).toBe(0);
  expect(Date.now() - t0).toBeLessThan(15_000);
});
