// `npm start` runs the graceful and the abortive close on loopback and prints
// both ladder diagrams from the real capture with a verdict line each; without
// capture it says so in one line and still checks the peer's side. Exit 0.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageRoot, titled, wire } from './helpers.js';

function start(...extra: string[]) {
  const r = spawnSync('npm', ['start', '--silent', ...(extra.length ? ['--', ...extra] : [])], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm start', () => {
  it.skipIf(wire.skip)(titled('prints both diagrams from the capture and the verdicts, exit 0', wire), () => {
    const { code, out, err } = start();
    expect(code, err).toBe(0);
    expect(out).toMatch(/^capture: AF_PACKET on lo/m);
    // Two ladder diagrams, each from the handshake to the teardown.
    expect(out.match(/-- SYN seq=0 -+>/g)).toHaveLength(2);
    expect(out).toMatch(/FIN_WAIT_1 +-- FIN,ACK seq=1 ack=1 -+>  CLOSE_WAIT/);
    expect(out).toMatch(/FIN_WAIT_2 +<-+ ACK seq=1 ack=2 --/);
    expect(out).toMatch(/TIME_WAIT +<-+ FIN,ACK seq=1 ack=2 --  LAST_ACK/);
    expect(out).toMatch(/CLOSED +-- RST,ACK seq=1 ack=1 -+>  CLOSED/);
    const verdicts = out.split('\n').filter((l) => l.startsWith('verdict:'));
    expect(verdicts).toEqual([
      'verdict: FIN emitted: yes (client, server) | RST emitted: no | handle released: yes | fd released: yes | final states: client TIME_WAIT, server CLOSED',
      'verdict: FIN emitted: no | RST emitted: yes (client) | handle released: yes | fd released: yes | final states: client CLOSED, server CLOSED',
    ]);
  });

  it('without capture says so in one line and still runs the peer-side checks, exit 0', () => {
    const { code, out, err } = start('--no-capture');
    expect(code, err).toBe(0);
    expect(out.split('\n').filter((l) => l.startsWith('capture unavailable'))).toEqual([
      'capture unavailable (disabled by --no-capture): peer-side checks only',
    ]);
    expect(out).not.toMatch(/SYN seq=0/);
    const verdicts = out.split('\n').filter((l) => l.startsWith('verdict:'));
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]).toMatch(
      /FIN emitted: yes \(peer saw EOF, not captured\) \| RST emitted: no .*handle released: yes \| fd released: yes/,
    );
    expect(verdicts[1]).toMatch(
      /FIN emitted: no .*RST emitted: yes \(peer saw WSAECONNRESET, not captured\) \| handle released: yes \| fd released: yes/,
    );
  });
});
