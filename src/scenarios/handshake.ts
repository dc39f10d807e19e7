// The three-way handshake: SYN, SYN+ACK, ACK; then one byte each way and a
// graceful close so the connection's whole life fits in one diagram.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'handshake',
  title: 'Three-way handshake: SYN, SYN+ACK, ACK, then data each way',
  topic: 'handshake',
  tour: true,
  steps: [
    'listener: socket, bind 127.0.0.1:0, listen (LISTEN)',
    "client: connect: its SYN (SYN_SENT), the listener's SYN+ACK (SYN_RCVD), its ACK (ESTABLISHED both)",
    'listener: accept returns the connection the kernel already completed',
    'client sends "hi", server answers "ok"; then both close',
  ],
  expected: {
    calls: { 'connect(client)': { rc: 0 }, 'send(client, "hi")': { rc: 2 }, 'send(server, "ok")': { rc: 2 } },
    segments: ['client SYN', 'server SYN,ACK', 'client ACK', 'client PSH,ACK', 'server PSH,ACK'],
    never: ['client RST', 'server RST'],
    states: { 'listener before connect': 'LISTEN', 'client after connect': 'ESTABLISHED', 'server after accept': 'ESTABLISHED' },
    peer: { 'server recv': 'bytes:2', 'client recv': 'bytes:2' },
  },
  async run(x: Lab) {
    x.listen();
    x.held('listener before connect', x.listener);
    x.client = x.socket();
    x.call('client', 'connect(client)', () => W.connect(x.client, x.la));
    x.held('client after connect', x.client);
    x.server = x.call('server', 'accept(listener)', () => W.accept(x.listener));
    x.trackPair();
    x.held('server after accept', x.server);
    await x.settle();
    x.call('client', 'send(client, "hi")', () => W.send(x.client, Buffer.from('hi')));
    x.observe('server recv', x.server, 'server');
    x.call('server', 'send(server, "ok")', () => W.send(x.server, Buffer.from('ok')));
    x.observe('client recv', x.client, 'client');
    await x.settle();
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.observe('server recv EOF', x.server, 'server');
    await x.cleanup();
  },
} satisfies Scenario;
