// A default closesocket (linger off) closes gracefully, and the side that
// closed first holds TIME_WAIT, owned by no process, for 2MSL: Linux fixes
// TIME_WAIT at 60 s (TCP_TIMEWAIT_LEN), read here from the kernel's own timer.
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';
import { findConnections } from '../harness/tcpstate.js';

export default {
  name: 'default-close-time-wait',
  title: "Default closesocket: FIN, and the first closer holds TIME_WAIT (2MSL, the kernel's timer)",
  topic: 'time-wait',
  tour: true,
  steps: [
    'client: closesocket with linger off: FIN leaves in the background (FIN_WAIT_1, FIN_WAIT_2)',
    'server: recv returns 0, closesocket: FIN; the client ACKs it and enters TIME_WAIT',
    "read TIME_WAIT's remaining time from the kernel's table (/proc/net/tcp timer field, as ss -o shows it)",
  ],
  expected: {
    calls: { 'closesocket(client)': { rc: 0 }, 'closesocket(server)': { rc: 0 } },
    segments: [...HANDSHAKE, 'client FIN,ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST'],
    peer: { 'server recv after client close': 'EOF' },
    states: { 'client after closesocket': ['FIN_WAIT_1', 'FIN_WAIT_2'], 'client final': 'TIME_WAIT', 'server final': 'CLOSED' },
    figures: { 'TIME_WAIT timer left s': { min: 55, max: 60 }, 'TIME_WAIT holders owned by a process': { min: 0, max: 0 } },
  },
  async run(x: Lab) {
    await x.connect();
    x.mark('client close');
    await x.close('client');
    await x.settle();
    x.kernel('client after closesocket', 'client');
    x.observe('server recv after client close', x.server, 'server');
    x.mark('server close');
    await x.close('server');
    await x.settle();
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    const tw = findConnections(x.tracked.client!.local!, x.tracked.client!.remote!).filter((c) => c.state === 'TIME_WAIT');
    if (tw[0]?.timer === 'time-wait') x.figure('TIME_WAIT timer left s', tw[0].timerSeconds);
    x.figure('TIME_WAIT holders owned by a process', tw.filter((c) => c.owned).length);
    x.note(
      `kernel: ${tw.map((c) => `${c.local} -> ${c.remote} ${c.state}, timer ${c.timer} ${c.timerSeconds} s, inode ${c.inode}`).join('; ')}`,
    );
    await x.close('listener');
    await x.releaseAll();
  },
} satisfies Scenario;
