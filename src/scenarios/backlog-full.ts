// A listener whose accept queue is full: Linux keeps backlog + 1 completed
// connections waiting for accept and drops further SYNs, so the next client
// stays in SYN_SENT and retransmits its SYN; once accept makes room, the
// retransmitted SYN is answered.
import * as W from '../index.js';
import { tcpInfo } from '../harness/sys.js';
import { delay, ok, type Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'backlog-full',
  title: "A full accept queue: listen(s, 1), the third client's SYN is dropped until accept makes room",
  topic: 'handshake',
  seconds: 1.5,
  steps: [
    'listener: listen(s, 1); nobody accepts yet',
    'clients 1 and 2 connect: the kernel completes both handshakes and queues them (Linux holds backlog + 1)',
    'client 3: nonblocking connect (WSAEWOULDBLOCK): its SYN is dropped, the queue is full (SYN_SENT)',
    'accept one connection after 0.5 s: room for one more',
    "client 3's SYN is retransmitted about 1 s after the first and now completes",
  ],
  expected: {
    calls: {
      'listen(listener, 1)': { rc: 0 },
      'connect(client 1)': { rc: 0 },
      'connect(client 2)': { rc: 0 },
      'connect(client 3)': { rc: -1, error: 'WSAEWOULDBLOCK' },
      'WSAPoll(client 3, POLLWRNORM) after accept': { rc: 1 },
    },
    segments: [
      'client SYN',
      'server SYN,ACK',
      'client ACK',
      'client SYN',
      'server SYN,ACK',
      'client ACK',
      'client SYN',
      'client SYN',
      'server SYN,ACK',
      'client ACK',
    ],
    states: { 'client 3 while the queue is full': 'SYN_SENT', 'client 3 after accept': 'ESTABLISHED' },
    figures: {
      'accept queue length while full': { min: 2, max: 2 },
      'accept queue limit': { min: 1, max: 1 },
      'SYNs client 3 sent before the answer': { min: 2, max: 2 },
      'SYN retransmitted after ms': { min: 900, max: 1500 },
    },
  },
  async run(x: Lab) {
    x.listen(1);
    const clients: W.SOCKET[] = [];
    for (const i of [1, 2]) {
      const c = x.socket();
      clients.push(c);
      x.extra.push(c);
      x.call('client', `connect(client ${i})`, () => W.connect(c, x.la));
    }
    await x.settle();
    const c3 = x.socket();
    x.extra.push(c3);
    ok(W.ioctlsocket(c3, W.FIONBIO, [1]), 'FIONBIO');
    const m = x.segIndex;
    x.call('client', 'connect(client 3)', () => W.connect(c3, x.la));
    await delay(300);
    x.held('client 3 while the queue is full', c3);
    const info = tcpInfo(W.nativeFd(x.listener)!);
    if (info) {
      x.figure('accept queue length while full', info.unacked);
      x.figure('accept queue limit', info.sacked);
    }
    await delay(200);
    x.server = x.call('server', 'accept(listener)', () => W.accept(x.listener));
    x.extra.push(x.server);
    const fds = [{ fd: c3, events: W.POLLWRNORM, revents: 0 }];
    x.call('client', 'WSAPoll(client 3, POLLWRNORM) after accept', () => W.WSAPoll(fds, 2500));
    x.held('client 3 after accept', c3);
    await x.settle();
    const syns = x.cap?.find({ from: x.la.port, flags: 'SYN' }, m) ?? [];
    const mine = x.cap?.find({ to: x.la.port, exactFlags: 'SYN' }, m) ?? [];
    x.figure('SYNs client 3 sent before the answer', mine.filter((s) => !syns[0] || s.time <= syns[0].time).length);
    if (mine.length >= 2) x.figure('SYN retransmitted after ms', (mine[1]!.time - mine[0]!.time) * 1000);
    // Name the drawn ends after client 3, whose connection is the point.
    const a = {} as W.SockAddr;
    if (W.getsockname(c3, a) === 0) x.r.client = `${a.address}:${a.port}`;
    x.note('closing the listener resets the connections still waiting in its queue (the RSTs at the end)');
    x.note('Linux lets backlog + 1 connections wait (sk_acceptq_is_full is "more than"), then drops SYNs (ListenOverflows)');
    await x.closeAll();
  },
} satisfies Scenario;
