// @ts-check
// The contract scenarios of the registry (src/scenarios/index.ts): the list both backends are
// held to, one file each in contract/, in run order (the first must run before any WSAStartup,
// the last ends it). Plain JavaScript on purpose: it runs in Windows Node under Wine, where
// neither vitest nor a TypeScript loader starts (DESIGN.md), and it drives the BUILT library.
import s0 from './contract/socket-before-WSAStartup.js';
import s1 from './contract/WSAStartup.js';
import s2 from './contract/tcp-connection.js';
import s3 from './contract/WSASendDisconnect.js';
import s4 from './contract/shutdown-SD-SEND-send.js';
import s5 from './contract/recv-after-SD-RECEIVE.js';
import s6 from './contract/linger-1-0-close.js';
import s7 from './contract/closesocket-twice.js';
import s8 from './contract/shutdown-bad-how.js';
import s9 from './contract/WSASendDisconnect-with-data.js';
import s10 from './contract/data-after-SD-RECEIVE.js';
import s11 from './contract/SD-BOTH-unread-data.js';
import s12 from './contract/nonblocking-linger-unsent.js';
import s13 from './contract/blocking-linger-expiry.js';
import s14 from './contract/tcp-connection-ipv6.js';
import s15 from './contract/udp-sendto-recvfrom.js';
import s16 from './contract/udp-shutdown.js';
import s17 from './contract/WSARecvDisconnect.js';
import s18 from './contract/FIONREAD.js';
import s19 from './contract/WSAPoll-closed-handle.js';
import s20 from './contract/peer-reset-repeated.js';
import s21 from './contract/listen-unbound.js';
import s22 from './contract/nonblocking-connect.js';
import s23 from './contract/SO-DONTLINGER.js';
import s24 from './contract/WSACleanup.js';
// The porting surface's scenarios (getaddrinfo, getnameinfo, select) run before the final WSACleanup.
import { portingScenarios } from './contract/porting.js';
export { obs, sleep, tcpPair, waitFor } from './contract/kit.js';

/** @type {import('./contract/kit.js').Scenario[]} */
export const scenarios = [
  s0,
  s1,
  s2,
  s3,
  s4,
  s5,
  s6,
  s7,
  s8,
  s9,
  s10,
  s11,
  s12,
  s13,
  s14,
  s15,
  s16,
  s17,
  s18,
  s19,
  s20,
  s21,
  s22,
  s23,
  ...portingScenarios,
  s24,
];

/** @param {unknown} want @param {unknown} got */
function fieldMatches(want, got) {
  if (want !== null && typeof want === 'object' && ('min' in want || 'max' in want)) {
    const r = /** @type {{ min?: number, max?: number }} */ (want);
    return typeof got === 'number' && (r.min === undefined || got >= r.min) && (r.max === undefined || got <= r.max);
  }
  return JSON.stringify(want) === JSON.stringify(got);
}

/** Every field of `want` holds in `got` (`wsa` defaults to 0 when `ret` is not -1). */
/** @param {Outcome} want @param {Outcome | undefined} got */
export function outcomeMatches(want, got) {
  if (!got) return false;
  const w = { wsa: want.ret === -1 ? undefined : 0, ...want };
  return Object.entries(w).every(([k, v]) => v === undefined || fieldMatches(v, got[k]));
}

/**
 * 'pass' when the documented result holds; under Wine 'wine-deviation' when the
 * recorded Wine result holds instead; otherwise 'fail'.
 * @param {Check} check @param {Outcome | undefined} got @param {'linux' | 'wine'} lane
 */
export function judge(check, got, lane) {
  if (outcomeMatches(check.expect, got)) return 'pass';
  if (lane === 'wine' && check.wine && outcomeMatches(check.wine.expect, got)) return 'wine-deviation';
  return 'fail';
}
