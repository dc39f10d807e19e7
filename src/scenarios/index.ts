// The registry: every scenario, once. The CLI (`list`, `run`), the tests, the
// docs generator (scripts/lab-docs.ts) and the Wine lane read it from here.
//
// Two kinds:
// - lab scenarios (one file each in this folder): real sockets observed on the
//   wire, with a ladder diagram, the Winsock calls and a verdict; run on Linux.
// - contract scenarios (contract/, one file each, listed by contract.js): the
//   checks both backends are held to, plain JavaScript so they run in Windows
//   Node under Wine as well (test/conformance/run.mjs, scripts/wine-lane.sh).
import backlogFull from './backlog-full.js';
import dataAfterSdReceiveRst from './data-after-sd-receive-rst.js';
import defaultCloseTimeWait from './default-close-time-wait.js';
import finRetransmit from './fin-retransmit.js';
import fourWayClose from './four-way-close.js';
import halfClose from './half-close.js';
import halfOpenQueue from './half-open-queue.js';
import handshake from './handshake.js';
import lingerTimeoutRst from './linger-timeout-rst.js';
import lingerZeroRst from './linger-zero-rst.js';
import nonblockingLinger from './nonblocking-linger.js';
import peerVanishesLinger from './peer-vanishes-linger.js';
import sdBothUnreadRst from './sd-both-unread-rst.js';
import sdReceiveSilent from './sd-receive-silent.js';
import simultaneousClose from './simultaneous-close.js';
import somaxconnHint from './somaxconn-hint.js';
import threeSegmentClose from './three-segment-close.js';
import timeWaitLostAck from './time-wait-lost-ack.js';
import unreadDataCloseRst from './unread-data-close-rst.js';
import wsacleanupOpen from './wsacleanup-open.js';
import wsasenddisconnectFin from './wsasenddisconnect-fin.js';
import type { Scenario } from './model.js';

export { scenarios as contract, judge as judgeContract, type Scenario as ContractScenario } from './contract.js';
export type * from './model.js';

/** Lab scenarios in the order of a connection's life: opening, closing, TIME_WAIT, then Winsock's teardown calls. */
export const scenarios: readonly Scenario[] = [
  handshake,
  backlogFull,
  halfOpenQueue,
  somaxconnHint,
  fourWayClose,
  threeSegmentClose,
  halfClose,
  simultaneousClose,
  finRetransmit,
  defaultCloseTimeWait,
  timeWaitLostAck,
  wsasenddisconnectFin,
  sdReceiveSilent,
  dataAfterSdReceiveRst,
  sdBothUnreadRst,
  lingerZeroRst,
  lingerTimeoutRst,
  nonblockingLinger,
  unreadDataCloseRst,
  wsacleanupOpen,
  peerVanishesLinger,
];

/** The scenario called `name`, or undefined. */
export function scenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}

/** The default tour: `winsock-compat run` with no name. */
export const tour: readonly Scenario[] = scenarios.filter((s) => s.tour);
