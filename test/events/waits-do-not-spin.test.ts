// Rule: a condition that stays true after its event was recorded (unread data
// with FD_READ disabled, a peer's FIN after FD_CLOSE, an unconnected socket
// whose descriptor polls as hung up) must not make a wait busy-loop: neither a
// thread blocked in WSAWaitForMultipleEvents nor Node's loop while an
// association is idle. Measured as CPU time over a half-second wait.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, tcpPair, useWinsock } from '../helpers.js';
import { enumEvents, select, waitEvents } from './helpers.js';

useWinsock();

const cpuMs = (fn: () => void): number => {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

describe('no busy loop', () => {
  it('a blocked wait over recorded-but-true conditions uses little CPU', () => {
    const a = tcpPair();
    const evRead = select(a.server, W.FD_READ | W.FD_CLOSE);
    ok(W.send(a.client, Buffer.from('unread')));
    expect(waitEvents(a.server, evRead).lNetworkEvents).toBe(W.FD_READ); // data stays unread
    const b = tcpPair();
    const evClose = select(b.server, W.FD_READ | W.FD_CLOSE);
    ok(W.closesocket(b.client));
    expect(waitEvents(b.server, evClose).lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    const fresh = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0)); // never connected: Linux polls it as POLLHUP
    const evFresh = select(fresh, W.FD_READ | W.FD_WRITE | W.FD_CLOSE);
    let r = 0;
    const used = cpuMs(() => (r = W.WSAWaitForMultipleEvents(3, [evRead, evClose, evFresh], false, 500, false)));
    expect(r).toBe(W.WSA_WAIT_TIMEOUT);
    expect(used).toBeLessThan(150);
    expect(enumEvents(a.server).lNetworkEvents).toBe(0);
  });

  it("Node's loop stays idle while such associations wait", async () => {
    const b = tcpPair();
    const ev = select(b.server, W.FD_READ | W.FD_WRITE | W.FD_CLOSE);
    ok(W.send(b.client, Buffer.from('x')));
    ok(W.closesocket(b.client));
    expect(waitEvents(b.server, ev).lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    const t = process.cpuUsage();
    expect(await P.WSAWaitForMultipleEvents(1, [ev], false, 500, false)).toBe(W.WSA_WAIT_TIMEOUT);
    const d = process.cpuUsage(t);
    expect((d.user + d.system) / 1000).toBeLessThan(150);
  });
});
