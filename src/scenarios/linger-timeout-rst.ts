// linger {1,N} on a blocking socket whose peer does not read: closesocket
// waits N seconds for the unsent data, then resets (Winsock). Linux alone would
// return after N s and keep sending in the background, never an RST.
import * as W from '../index.js';
import { ok, type Lab } from './lab.js';
import type { Scenario } from './model.js';
import { fill, smallBuffers } from './fill.js';

export default {
  name: 'linger-timeout-rst',
  title: 'linger {1,N}, blocking socket, peer not reading: closesocket waits N s, then RST',
  topic: 'winsock',
  seconds: 1.2,
  steps: [
    'small buffers; the client fills the connection until send would block (the server never reads)',
    'client: blocking again; setsockopt(SO_LINGER, {1,1}); closesocket blocks',
    'after 1 s the unsent data is still there: RST; closesocket returns 0',
  ],
  expected: {
    calls: { 'setsockopt(client, SO_LINGER, {1,1})': { rc: 0 }, 'closesocket(client)': { rc: 0 } },
    segments: ['client RST,ACK'],
    never: ['client FIN'],
    states: { 'client after closesocket': 'CLOSED' },
    figures: { 'bytes queued': { min: 1 }, 'closesocket ms': { min: 950, max: 2000 }, 'RST after close ms': { min: 950, max: 2000 } },
  },
  async run(x: Lab, o) {
    const n = o.lingerSeconds ?? 1;
    await x.connect(smallBuffers);
    await fill(x);
    ok(W.ioctlsocket(x.client, W.FIONBIO, [0]), 'FIONBIO 0');
    const label = `setsockopt(client, SO_LINGER, {1,${n}})`;
    x.call('client', label, () => W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: n }));
    x.mark('client close');
    const t0 = Date.now();
    await x.close('client');
    x.figure('closesocket ms', Date.now() - t0);
    const rst = await x.waitSegment({ from: x.r.client, flags: 'RST' }, x.r.marks['client close']!, 500);
    if (rst) x.figure('RST after close ms', rst.time * 1000 - t0);
    await x.settle();
    x.kernel('client after closesocket', 'client');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },
} satisfies Scenario;
