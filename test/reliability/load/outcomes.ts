// The load test's outcome table: for each connection, what its teardown
// promises the other side observes (Winsock's rule), what the server did
// observe, and the table of both, by client kind and teardown.
import type { TeardownKind } from './net-client.js';

/** What the server saw on one connection: the payload's fate and how the connection ended. */
export interface ServerSide {
  kind: TeardownKind;
  bytesReceived: number;
  /** The payload arrived whole and its SHA-1 matched. */
  intact: boolean;
  /** 'EOF' (recv 0) or the WSA code name recv failed with. */
  end: string;
}

export interface Outcome {
  client: 'node:net' | 'winsock';
  kind: TeardownKind;
  bytes: number;
  observed: string;
  ok: boolean;
}

/**
 * Winsock's promise for the side that did not choose the teardown: a graceful
 * exchange arrives intact and ends with EOF; an abortive one ends with
 * WSAECONNRESET, whatever arrived before (and nothing else is promised).
 */
export function expected(kind: TeardownKind): { end: string; intact: boolean | 'any' } {
  switch (kind) {
    case 'graceful':
    case 'half-close-reply':
    case 'WSASendDisconnect':
      return { end: 'EOF', intact: true };
    case 'abortive':
    case 'linger-timeout':
    case 'close-unread':
    case 'SD_RECEIVE-then-data':
      return { end: 'WSAECONNRESET', intact: 'any' };
  }
}

export function judge(client: Outcome['client'], s: ServerSide, clientError?: string, replyIntact?: boolean): Outcome {
  const want = expected(s.kind);
  const observed = `${s.end}${s.intact ? ', intact' : s.bytesReceived ? `, ${s.bytesReceived} bytes, not intact` : ''}${clientError ? `, client ${clientError}` : ''}${replyIntact === false ? ', reply corrupted' : ''}`;
  const ok = s.end === want.end && (want.intact === 'any' || s.intact === want.intact) && !clientError && replyIntact !== false;
  return { client, kind: s.kind, bytes: s.bytesReceived, observed, ok };
}

/** Markdown: one row per (client, teardown, observed outcome), with counts and bytes. */
export function outcomeTable(outcomes: Outcome[]): string {
  const rows = new Map<string, { client: string; kind: string; observed: string; ok: boolean; n: number; bytes: number }>();
  for (const o of outcomes) {
    const key = `${o.client}|${o.kind}|${o.observed}`;
    const r = rows.get(key) ?? { client: o.client, kind: o.kind, observed: o.observed, ok: o.ok, n: 0, bytes: 0 };
    r.n++;
    r.bytes += o.bytes;
    rows.set(key, r);
  }
  const lines = [...rows.values()]
    .sort((a, b) => a.client.localeCompare(b.client) || a.kind.localeCompare(b.kind) || b.n - a.n)
    .map((r) => {
      const want = expected(r.kind as TeardownKind);
      return `| ${r.client} | ${r.kind} | ${want.end}${want.intact === true ? ', intact' : ''} | ${r.observed} | ${r.n} | ${r.bytes} | ${r.ok ? '✓' : '✗'} |`;
    });
  const total = outcomes.length;
  const bad = outcomes.filter((o) => !o.ok).length;
  return [
    `${total} connections, ${outcomes.reduce((a, o) => a + o.bytes, 0)} bytes received, ${bad} not as promised.`,
    '',
    '| Client | Teardown | Promised to the server | Observed | Connections | Bytes | |',
    '| --- | --- | --- | --- | --: | --: | --- |',
    ...lines,
  ].join('\n');
}
