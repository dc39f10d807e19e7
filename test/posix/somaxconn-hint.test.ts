// Rule: listen(s, SOMAXCONN) asks for the provider's maximum backlog (on
// Linux the kernel cap, net.core.somaxconn); SOMAXCONN_HINT(n) (= -n) asks
// for n clamped to 200..65535 (then capped by the kernel like any backlog).
// The real backlog is read from the kernel: `ss -ltn` shows a listening
// socket's backlog in its Send-Q column.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import { lastErrorOf, LOOPBACK4, LOOPBACK6, ok, useWinsock } from '../helpers.js';

useWinsock();

const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());

/** The kernel's backlog of the socket listening on `port` (ss's Send-Q for a LISTEN row). */
function kernelBacklog(port: number): number {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8', timeout: 5000 }).trim();
  const rows = out.split('\n').filter(Boolean);
  expect(rows, `ss rows for port ${port}`).toHaveLength(1);
  const cols = rows[0]!.trim().split(/\s+/);
  expect(cols[0]).toBe('LISTEN');
  return Number(cols[2]);
}

/** Listens with `backlog` on a fresh loopback socket and returns the kernel's backlog. */
function backlogFor(backlog: number, af: number = W.AF_INET): number {
  const s = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP));
  try {
    ok(W.bind(s, af === W.AF_INET ? LOOPBACK4 : LOOPBACK6), 'bind');
    expect(W.listen(s, backlog)).toBe(0);
    const a = {} as SockAddr;
    ok(W.getsockname(s, a));
    return kernelBacklog(a.port);
  } finally {
    ok(W.closesocket(s));
  }
}

describe('listen backlog as the kernel sees it', () => {
  it('a plain backlog is passed as is (5 -> 5, 128 -> 128)', () => {
    expect(backlogFor(5)).toBe(5);
    expect(backlogFor(128)).toBe(Math.min(128, somaxconn));
  });

  it('SOMAXCONN -> the kernel cap (/proc/sys/net/core/somaxconn)', () => {
    expect(W.SOMAXCONN).toBe(0x7fffffff);
    expect(backlogFor(W.SOMAXCONN)).toBe(somaxconn);
    expect(backlogFor(W.SOMAXCONN, W.AF_INET6)).toBe(somaxconn);
  });

  it('SOMAXCONN_HINT(n) is -n', () => {
    expect(W.SOMAXCONN_HINT(5)).toBe(-5);
    expect(W.SOMAXCONN_HINT(1000)).toBe(-1000);
  });

  it('SOMAXCONN_HINT(5) and (1) -> 200 (the floor)', () => {
    expect(backlogFor(W.SOMAXCONN_HINT(5))).toBe(Math.min(200, somaxconn));
    expect(backlogFor(W.SOMAXCONN_HINT(1))).toBe(Math.min(200, somaxconn));
    expect(backlogFor(W.SOMAXCONN_HINT(199))).toBe(Math.min(200, somaxconn));
  });

  it('SOMAXCONN_HINT(1000) -> 1000 (capped by somaxconn)', () => {
    expect(backlogFor(W.SOMAXCONN_HINT(1000))).toBe(Math.min(1000, somaxconn));
    expect(backlogFor(W.SOMAXCONN_HINT(201), W.AF_INET6)).toBe(Math.min(201, somaxconn));
  });

  it('SOMAXCONN_HINT above 65535 -> 65535 (then the kernel cap)', () => {
    expect(backlogFor(W.SOMAXCONN_HINT(100_000))).toBe(Math.min(65535, somaxconn));
  });

  it('a second listen changes the backlog of a listening socket', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.bind(s, LOOPBACK4));
    ok(W.listen(s, 3));
    const a = {} as SockAddr;
    ok(W.getsockname(s, a));
    expect(kernelBacklog(a.port)).toBe(3);
    ok(W.listen(s, W.SOMAXCONN_HINT(300)));
    expect(kernelBacklog(a.port)).toBe(Math.min(300, somaxconn));
    ok(W.closesocket(s));
  });
});

describe('listen on UDP', () => {
  it('WSAEOPNOTSUPP for SOMAXCONN and SOMAXCONN_HINT', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    ok(W.bind(u, LOOPBACK4));
    expect(lastErrorOf(W.listen(u, W.SOMAXCONN))).toBe(W.WSA.WSAEOPNOTSUPP);
    expect(lastErrorOf(W.listen(u, W.SOMAXCONN_HINT(5)))).toBe(W.WSA.WSAEOPNOTSUPP);
    ok(W.closesocket(u));
  });
});

// The 65535 ceiling of SOMAXCONN_HINT only shows when the kernel allows more:
// raise somaxconn inside a private network namespace (never the machine's own)
// and listen there from a child process.
const canUnshare = spawnSync('unshare', ['-n', 'true'], { timeout: 5000 }).status === 0;
describe.skipIf(!canUnshare)('in a network namespace whose somaxconn is 200000', () => {
  it('SOMAXCONN -> 200000, SOMAXCONN_HINT(100000) -> 65535, SOMAXCONN_HINT(70000) -> 65535, HINT(5) -> 200', () => {
    const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    const script = `
      import * as W from ${JSON.stringify(src)};
      import { execFileSync } from 'node:child_process';
      if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup');
      const out = {};
      for (const [label, backlog] of [['SOMAXCONN', W.SOMAXCONN], ['HINT(100000)', W.SOMAXCONN_HINT(100000)],
                                      ['HINT(70000)', W.SOMAXCONN_HINT(70000)], ['HINT(5)', W.SOMAXCONN_HINT(5)],
                                      ['70000', 70000]]) {
        const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
        W.bind(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
        const rc = W.listen(s, backlog);
        const a = {};
        W.getsockname(s, a);
        const row = execFileSync('ss', ['-ltnH', 'sport = :' + a.port], { encoding: 'utf8' }).trim().split(/\\s+/);
        out[label] = [rc, Number(row[2])];
        W.closesocket(s);
      }
      W.WSACleanup();
      console.log(JSON.stringify(out));
    `;
    const r = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        'ip link set lo up && sysctl -qw net.core.somaxconn=200000 && exec node --import tsx --input-type=module -e "$0"',
        script,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({
      SOMAXCONN: [0, 200000],
      'HINT(100000)': [0, 65535],
      'HINT(70000)': [0, 65535],
      'HINT(5)': [0, 200],
      '70000': [0, 70000],
    });
  });
});
