// The peer vanishes (every segment it sends is dropped) while closesocket
// waits with linger {1,N}: nothing acknowledges the unsent data, the wait runs
// its N seconds, and the close ends with an RST the peer never answers.
import * as W from '../index.js';
import { ok, type Lab } from './lab.js';
import type { Scenario } from './model.js';
import { fill, smallBuffers } from './fill.js';

export default {
  name: 'peer-vanishes-linger',
  title: 'The peer vanishes during a linger {1,2} wait: closesocket waits 2 s, then RST',
  topic: 'winsock',
  namespace: {},
  seconds: 2.5,
  steps: [
    'the client fills the connection (the server never reads)',
    "nft in the run's namespace drops every segment the server sends from now on: the peer has vanished",
    'client: blocking, setsockopt(SO_LINGER, {1,2}), closesocket: its probes and retransmissions go unanswered',
    'after 2 s: RST; closesocket returns 0; no TIME_WAIT',
  ],
  expected: {
    calls: { 'setsockopt(client, SO_LINGER, {1,2})': { rc: 0 }, 'closesocket(client)': { rc: 0 } },
    segments: ['client RST,ACK'],
    never: ['client FIN'],
    states: { 'client after closesocket': 'CLOSED' },
    figures: { 'closesocket ms': { min: 1950, max: 3000 }, 'RST after close ms': { min: 1950, max: 3000 }, 'bytes queued': { min: 1 } },
    released: ['client', 'listener'],
  },
  async run(x: Lab) {
    await x.connect(smallBuffers);
    await fill(x);
    ok(W.ioctlsocket(x.client, W.FIONBIO, [0]), 'FIONBIO 0');
    x.drop({ sport: x.la.port }, Infinity);
    x.call('client', 'setsockopt(client, SO_LINGER, {1,2})', () =>
      W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 2 }),
    );
    x.mark('client close');
    const t0 = Date.now();
    await x.close('client');
    x.figure('closesocket ms', Date.now() - t0);
    const rst = await x.waitSegment({ from: x.r.client, flags: 'RST' }, x.r.marks['client close']!, 500);
    if (rst) x.figure('RST after close ms', rst.time * 1000 - t0);
    x.checkFaults();
    x.clearFaults();
    await x.settle();
    x.kernel('client after closesocket', 'client');
    await x.release('client', { abortive: true });
    await x.closeAll();
    await x.release('listener', { checkPort: true });
  },
} satisfies Scenario;
