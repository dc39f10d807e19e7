// listen's backlog the Winsock way: SOMAXCONN_HINT(n) asks for n clamped to
// 200..65535, SOMAXCONN for the provider's maximum. The limit the kernel
// applied is read back from TCP_INFO on the listener (tcpi_sacked). The run's
// namespace raises net.core.somaxconn to 100000 so the 65535 clamp shows.
import * as W from '../index.js';
import { tcpInfo } from '../harness/sys.js';
import { ok, type Lab } from './lab.js';
import type { Scenario } from './model.js';

const CASES: [string, number][] = [
  ['listen(s, 5)', 5],
  ['listen(s, SOMAXCONN_HINT(5))', W.SOMAXCONN_HINT(5)],
  ['listen(s, SOMAXCONN_HINT(1000))', W.SOMAXCONN_HINT(1000)],
  ['listen(s, SOMAXCONN_HINT(100000))', W.SOMAXCONN_HINT(100000)],
  ['listen(s, SOMAXCONN)', W.SOMAXCONN],
];

export default {
  name: 'somaxconn-hint',
  title: 'SOMAXCONN_HINT(n): the backlog clamped to 200..65535, read back from the kernel',
  topic: 'handshake',
  namespace: { sysctls: { 'net.core.somaxconn': 100000 } },
  steps: [
    "in the run's namespace: net.core.somaxconn = 100000 (Linux's own cap, 4096 by default)",
    ...CASES.map(([call]) => `${call} on a fresh listener; read the accept queue limit from TCP_INFO`),
  ],
  expected: {
    calls: Object.fromEntries(CASES.map(([call]) => [call, { rc: 0 }])),
    figures: {
      'backlog of listen(s, 5)': { min: 5, max: 5 },
      'backlog of listen(s, SOMAXCONN_HINT(5))': { min: 200, max: 200 },
      'backlog of listen(s, SOMAXCONN_HINT(1000))': { min: 1000, max: 1000 },
      'backlog of listen(s, SOMAXCONN_HINT(100000))': { min: 65535, max: 65535 },
      'backlog of listen(s, SOMAXCONN)': { min: 100000, max: 100000 },
    },
  },
  async run(x: Lab) {
    for (const [call, backlog] of CASES) {
      const s = x.socket();
      x.extra.push(s);
      ok(W.bind(s, { family: x.af, address: '127.0.0.1', port: 0 }), 'bind');
      x.call('listener', call, () => W.listen(s, backlog));
      const info = tcpInfo(W.nativeFd(s)!);
      if (info) x.figure(`backlog of ${call}`, info.sacked);
      W.closesocket(s);
    }
    x.r.server = '127.0.0.1:0';
    x.r.captureNote = 'no connection: the listeners only report their limits';
  },
} satisfies Scenario;
