// shutdown(SD_RECEIVE) alone puts nothing on the wire: the connection still
// carries data the other way; recv on the shut side fails WSAESHUTDOWN.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'sd-receive-silent',
  title: 'shutdown(SD_RECEIVE) alone puts nothing on the wire',
  topic: 'winsock',
  steps: [
    'client: shutdown(SD_RECEIVE): no segment for 100 ms',
    'client: send still works; the server receives it',
    'client: shutdown(SD_SEND): FIN; server reads EOF; both close',
  ],
  expected: {
    calls: {
      'shutdown(client, SD_RECEIVE)': { rc: 0 },
      'send(client) after SD_RECEIVE': { rc: 13 },
      'recv(client) after SD_RECEIVE': { rc: -1, error: 'WSAESHUTDOWN' },
      'shutdown(client, SD_SEND)': { rc: 0 },
    },
    never: ['client RST', 'server RST'],
    states: { 'client after SD_RECEIVE': 'ESTABLISHED' },
    peer: { 'server recv after client SD_RECEIVE': 'bytes:13', 'server recv after client SD_SEND': 'EOF' },
    figures: { 'segments after SD_RECEIVE (100 ms)': { min: 0, max: 0 } },
  },
  async run(x: Lab) {
    await x.connect();
    x.mark('before SD_RECEIVE');
    x.call('client', 'shutdown(client, SD_RECEIVE)', () => W.shutdown(x.client, W.SD_RECEIVE));
    await x.settle(100);
    x.mark('after SD_RECEIVE settle');
    x.figure('segments after SD_RECEIVE (100 ms)', x.segIndex - x.r.marks['before SD_RECEIVE']!);
    x.held('client after SD_RECEIVE', x.client);
    x.call('client', 'recv(client) after SD_RECEIVE', () => W.recv(x.client, Buffer.alloc(8)));
    x.call('client', 'send(client) after SD_RECEIVE', () => W.send(x.client, Buffer.from('still-sending')));
    x.observe('server recv after client SD_RECEIVE', x.server, 'server');
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.observe('server recv after client SD_SEND', x.server, 'server');
    await x.close('server');
    await x.settle();
    await x.cleanup();
  },
} satisfies Scenario;
