// WSASendDisconnect on TCP: exactly one FIN after the queued data, no RST; a
// send afterwards fails WSAESHUTDOWN and puts nothing on the wire.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'wsasenddisconnect-fin',
  title: 'WSASendDisconnect: exactly one FIN, no RST; send afterwards fails WSAESHUTDOWN',
  topic: 'winsock',
  steps: ['client: WSASendDisconnect(NULL): FIN', 'server: recv returns 0', 'client: send fails WSAESHUTDOWN', 'both close'],
  expected: {
    calls: {
      'WSASendDisconnect(client)': { rc: 0 },
      'send(client) after WSASendDisconnect': { rc: -1, error: 'WSAESHUTDOWN' },
    },
    segments: [...HANDSHAKE, 'client FIN,ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST', 'client PSH'],
    peer: { 'server recv after WSASendDisconnect': 'EOF', 'client recv after server close': 'EOF' },
    states: { 'client final': 'TIME_WAIT' },
  },
  async run(x: Lab) {
    await x.connect();
    x.call('client', 'WSASendDisconnect(client)', () => W.WSASendDisconnect(x.client));
    x.mark('client disconnect');
    x.observe('server recv after WSASendDisconnect', x.server, 'server');
    x.call('client', 'send(client) after WSASendDisconnect', () => W.send(x.client, Buffer.from('x')));
    await x.settle();
    await x.close('server');
    x.observe('client recv after server close', x.client, 'client');
    await x.close('client');
    await x.close('listener');
    await x.settle();
    x.kernel('client final', 'client');
    await x.releaseAll();
  },
} satisfies Scenario;
