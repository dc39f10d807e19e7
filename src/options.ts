// The socket options the public API knows, keyed by Winsock's (level, name).
// Anything else is answered before a backend is called: an unknown level with
// WSAEINVAL, an unknown name with WSAENOPROTOOPT (Microsoft's setsockopt page).
import * as K from './constants.js';
import type { OptionKind } from './backends/backend.js';

export interface OptionInfo {
  kind: OptionKind;
  /** getsockopt only (setsockopt answers WSAENOPROTOOPT). */
  readOnly?: boolean;
  /** Only on SOCK_STREAM sockets (others answer WSAENOPROTOOPT). */
  streamOnly?: boolean;
}

export const LEVELS = new Set([K.SOL_SOCKET, K.IPPROTO_TCP, K.IPPROTO_IP, K.IPPROTO_IPV6, K.IPPROTO_UDP]);

const table = new Map<string, OptionInfo>([
  [`${K.SOL_SOCKET}:${K.SO_LINGER}`, { kind: 'linger', streamOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_DONTLINGER}`, { kind: 'dontlinger', streamOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_REUSEADDR}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_KEEPALIVE}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_BROADCAST}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_DONTROUTE}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_OOBINLINE}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_ACCEPTCONN}`, { kind: 'bool', readOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_RCVBUF}`, { kind: 'int' }],
  [`${K.SOL_SOCKET}:${K.SO_SNDBUF}`, { kind: 'int' }],
  [`${K.SOL_SOCKET}:${K.SO_RCVTIMEO}`, { kind: 'ms' }],
  [`${K.SOL_SOCKET}:${K.SO_SNDTIMEO}`, { kind: 'ms' }],
  [`${K.SOL_SOCKET}:${K.SO_ERROR}`, { kind: 'int', readOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_TYPE}`, { kind: 'int', readOnly: true }],
  [`${K.IPPROTO_TCP}:${K.TCP_NODELAY}`, { kind: 'bool', streamOnly: true }],
  [`${K.IPPROTO_IPV6}:${K.IPV6_V6ONLY}`, { kind: 'bool' }],
]);

export function optionInfo(level: number, name: number): OptionInfo | undefined {
  return table.get(`${level}:${name}`);
}
