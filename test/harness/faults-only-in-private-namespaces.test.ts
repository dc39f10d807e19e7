// Faults never touch the machine's own namespace: every fault call refuses
// there (even with WSC_NAMESPACE set by mistake), and the rules it would
// install are the ones the lab reports.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dropRules, inPrivateNamespace, ruleText, setSysctls } from '../../src/harness/faults.js';

const saved = process.env.WSC_NAMESPACE;
afterEach(() => {
  if (saved === undefined) delete process.env.WSC_NAMESPACE;
  else process.env.WSC_NAMESPACE = saved;
});

describe('faults only inside private namespaces', () => {
  it('refuses nft rules and sysctls in the namespace a test runs in (the machine’s own)', () => {
    delete process.env.WSC_NAMESPACE;
    const synack = readFileSync('/proc/sys/net/ipv4/tcp_synack_retries', 'utf8');
    expect(inPrivateNamespace().ok).toBe(false);
    expect(() => dropRules([{ dport: 1, exactFlags: 'ACK' }])).toThrow(/refusing to add nft rules/);
    expect(() => setSysctls({ 'net.ipv4.tcp_synack_retries': 1 })).toThrow(/refusing to set sysctls/);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_synack_retries', 'utf8')).toBe(synack);
    expect(spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '').not.toContain('wsc_fault');
  });

  it('still refuses when the environment claims a namespace but this is the one the run started from', () => {
    process.env.WSC_NAMESPACE = 'pretend';
    expect(inPrivateNamespace()).toMatchObject({ ok: false, reason: expect.stringMatching(/WSC_PARENT_NETNS unset/) });
    process.env.WSC_PARENT_NETNS = readlinkSync('/proc/self/ns/net');
    try {
      expect(inPrivateNamespace()).toMatchObject({ ok: false, reason: expect.stringMatching(/the namespace the run started from/) });
      expect(() => dropRules([{ sport: 1 }])).toThrow(/refusing/);
    } finally {
      delete process.env.WSC_PARENT_NETNS;
    }
  });

  it('writes the rule the spec asks for: direction by port, exact or required flags', () => {
    expect(ruleText({ dport: 5000, exactFlags: 'ACK' })).toBe(
      'meta l4proto tcp tcp dport 5000 tcp flags & (fin|syn|rst|psh|ack|urg) == ack counter drop',
    );
    expect(ruleText({ sport: 5000, flags: 'FIN' })).toBe('meta l4proto tcp tcp sport 5000 tcp flags & (fin) == fin counter drop');
    expect(ruleText({ dport: 1, flags: 'SYN,ACK' })).toBe('meta l4proto tcp tcp dport 1 tcp flags & (syn|ack) == syn|ack counter drop');
    expect(() => ruleText({ flags: 'FIM' })).toThrow(/unknown TCP flag/);
  });
});
