// The half-open (SYN_RCVD) queue: a client whose handshake-completing ACK
// never arrives leaves the server with a request in SYN_RCVD. The server
// retransmits its SYN+ACK at doubling intervals (1 s, 2 s, ...) until
// net.ipv4.tcp_synack_retries, then drops the entry; the half-open lifetime is
// the sum of the waits. The client meanwhile believes it is ESTABLISHED: its
// first data is answered by a reset.
import * as W from '../index.js';
import { tcpInfo } from '../harness/sys.js';
import { findConnections } from '../harness/tcpstate.js';
import { delay, ok, type Lab } from './lab.js';
import type { Scenario } from './model.js';

const RETRIES = 2;

export default {
  name: 'half-open-queue',
  title: 'Half-open queue: the handshake-completing ACK is dropped, the server retransmits SYN+ACK, then gives up',
  topic: 'handshake',
  namespace: { sysctls: { 'net.ipv4.tcp_synack_retries': RETRIES } },
  seconds: 8,
  steps: [
    `in the run's namespace: net.ipv4.tcp_synack_retries = ${RETRIES}; nft drops every pure ACK from the client to the listener`,
    "client: nonblocking connect; the listener's SYN+ACK arrives (client ESTABLISHED), the client's ACK is dropped (server SYN_RCVD)",
    'the server retransmits SYN+ACK after 1 s and 2 s more, the client ACKs each copy, each ACK is dropped',
    'after the last wait (4 s) the server drops the half-open entry: lifetime 1 + 2 + 4 = 7 s',
    'the rule is removed; the client sends data to a connection the server no longer has: RST, WSAECONNRESET',
  ],
  expected: {
    calls: { 'connect(client)': { rc: -1, error: 'WSAEWOULDBLOCK' }, 'send(client, "hello")': { rc: 5 } },
    segments: [
      'client SYN',
      'server SYN,ACK',
      'client ACK dropped',
      'server SYN,ACK',
      'client ACK dropped',
      'server SYN,ACK',
      'client ACK dropped',
      'client PSH,ACK',
      'server RST',
    ],
    states: { 'client after the first SYN+ACK': 'ESTABLISHED', 'server entry while half-open': 'SYN_RCVD' },
    peer: { 'client recv after the reset': 'WSAECONNRESET' },
    figures: {
      'SYN+ACKs sent': { min: RETRIES + 1, max: RETRIES + 1 },
      'SYN+ACK retransmission 1 after ms': { min: 900, max: 1300 },
      'SYN+ACK retransmission 2 after ms': { min: 1800, max: 2500 },
      'half-open lifetime ms': { min: 6500, max: 8000 },
      'kernel retransmit count at the end': { min: RETRIES, max: RETRIES },
      'accept queue length (never completed)': { min: 0, max: 0 },
    },
    released: ['listener'],
  },
  async run(x: Lab) {
    x.listen(16);
    x.drop({ dport: x.la.port, exactFlags: 'ACK' }, Infinity);
    x.client = x.socket();
    x.extra.push(x.client);
    ok(W.ioctlsocket(x.client, W.FIONBIO, [1]), 'FIONBIO');
    const t0 = Date.now() / 1000;
    x.call('client', 'connect(client)', () => W.connect(x.client, x.la));
    W.WSAPoll([{ fd: x.client, events: W.POLLWRNORM, revents: 0 }], 1000);
    x.held('client after the first SYN+ACK', x.client);
    const a = {} as W.SockAddr;
    ok(W.getsockname(x.client, a), 'getsockname');
    x.r.client = `${a.address}:${a.port}`;
    // Watch the server's entry in the kernel's table until it goes.
    let seenUntil = t0;
    let retransmits = 0;
    for (const end = Date.now() + 10_000; Date.now() < end;) {
      const row = findConnections(x.r.client.replace(/^(.*):(\d+)$/, '$1:' + x.la.port), x.r.client)[0];
      if (row?.state === 'SYN_RCVD') {
        x.r.states['server entry while half-open'] ??= 'SYN_RCVD';
        seenUntil = Date.now() / 1000;
        retransmits = row.retransmits;
      } else if (seenUntil > t0) break;
      await delay(20);
    }
    x.cap?.drain();
    const synacks = x.cap?.find({ from: x.la.port, flags: 'SYN,ACK' }) ?? [];
    x.figure('SYN+ACKs sent', synacks.length);
    for (let i = 1; i < synacks.length; i++)
      x.figure(`SYN+ACK retransmission ${i} after ms`, (synacks[i]!.time - synacks[i - 1]!.time) * 1000);
    const syn = x.cap?.find({ to: x.la.port, exactFlags: 'SYN' })[0];
    x.figure('half-open lifetime ms', (seenUntil - (syn?.time ?? t0)) * 1000);
    x.figure('kernel retransmit count at the end', retransmits);
    const lfd = W.nativeFd(x.listener);
    if (lfd !== undefined) x.figure('accept queue length (never completed)', tcpInfo(lfd)?.unacked ?? -1);
    x.clearFaults();
    x.call('client', 'send(client, "hello")', () => W.send(x.client, Buffer.from('hello')));
    await x.waitSegment({ from: x.la.port, flags: 'RST' }, x.segIndex - 1);
    x.observe('client recv after the reset', x.client, 'client');
    await x.closeAll();
    await x.release('listener', { checkPort: true });
  },
} satisfies Scenario;
