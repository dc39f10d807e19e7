// Half-close: after the client's SD_SEND the connection still carries data the
// other way; the client keeps receiving until the server's own FIN.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'half-close',
  title: 'Half-close: shutdown(SD_SEND), then data still flows the other way',
  topic: 'close',
  steps: [
    'client: shutdown(SD_SEND): FIN (client FIN_WAIT_2, server CLOSE_WAIT)',
    'server: recv returns 0, then sends 3 replies of 1000 bytes: the half-closed client receives them',
    'client: send fails WSAESHUTDOWN; server: closesocket (FIN); client: recv returns 0',
  ],
  expected: {
    calls: {
      'shutdown(client, SD_SEND)': { rc: 0 },
      'send(server) #1': { rc: 1000 },
      'send(server) #3': { rc: 1000 },
      'send(client) after SD_SEND': { rc: -1, error: 'WSAESHUTDOWN' },
    },
    segments: [...HANDSHAKE, 'client FIN,ACK', 'server ACK', 'server PSH,ACK', 'client ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST'],
    states: { 'client after SD_SEND': 'FIN_WAIT_2', 'server after EOF': 'CLOSE_WAIT', 'client final': 'TIME_WAIT' },
    peer: { 'server recv after client FIN': 'EOF', 'client recv #1': 'bytes:1000', 'client recv after server FIN': 'EOF' },
    figures: { 'bytes received after SD_SEND': { min: 3000, max: 3000 } },
  },
  async run(x: Lab) {
    await x.connect();
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    await x.settle();
    x.held('client after SD_SEND', x.client);
    x.observe('server recv after client FIN', x.server, 'server');
    x.held('server after EOF', x.server);
    let got = 0;
    for (let i = 1; i <= 3; i++) {
      x.call('server', `send(server) #${i}`, () => W.send(x.server, Buffer.alloc(1000, 0x30 + i)));
      const seen = x.observe(`client recv #${i}`, x.client, 'client');
      if (seen.startsWith('bytes:')) got += Number(seen.slice(6));
    }
    x.figure('bytes received after SD_SEND', got);
    x.call('client', 'send(client) after SD_SEND', () => W.send(x.client, Buffer.from('x')));
    await x.settle();
    await x.close('server');
    x.observe('client recv after server FIN', x.client, 'client');
    await x.close('client');
    await x.close('listener');
    await x.settle();
    x.kernel('client final', 'client');
    await x.releaseAll();
  },
} satisfies Scenario;
