// The node:net half of the load test, ahead of the promise API: 200
// concurrent node:net clients, each ending with one of the teardowns node:net
// can do, against a flat-API server on Node's loop (load/pump-server.ts, to be
// replaced by the promise-API server). Every graceful exchange arrives intact
// with EOF, every abortive one is seen as WSAECONNRESET; the outcome table is printed.
import { describe, expect, it } from 'vitest';
import { netClient, NET_TEARDOWNS } from './load/net-client.js';
import { judge, outcomeTable, type Outcome } from './load/outcomes.js';
import { PumpServer } from './load/pump-server.js';
import { useWinsock } from '../helpers.js';

const PER_KIND = 50;

describe('load, node:net clients', () => {
  useWinsock();

  it(`${PER_KIND * NET_TEARDOWNS.length} concurrent connections: each other side observes what Winsock promises`, async () => {
    const server = new PumpServer();
    try {
      const plan = NET_TEARDOWNS.flatMap((k) => Array.from({ length: PER_KIND }, (_, i) => ({ kind: k, size: 1 + ((i * 7919) % 60_000) })));
      const clients = Promise.all(plan.map((p) => netClient(server.addr.port, p.kind, p.size)));
      await server.serve(plan.length, 20_000);
      const sides = await clients;
      // Pair each server observation with a client of the same kind (they are interchangeable within a kind).
      const byKind = new Map(NET_TEARDOWNS.map((k) => [k, sides.filter((c) => c.kind === k)]));
      const outcomes: Outcome[] = server.results.map((s) => {
        const c = byKind.get(s.kind)!.shift()!;
        return judge('node:net', s, c.error, c.replyIntact);
      });
      const table = outcomeTable(outcomes);
      console.log(table);
      expect(outcomes).toHaveLength(plan.length);
      for (const k of NET_TEARDOWNS) expect(outcomes.filter((o) => o.kind === k)).toHaveLength(PER_KIND);
      expect(outcomes.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.observed}`)).toEqual([]);
    } finally {
      server.close();
    }
  }, 30_000);
});
