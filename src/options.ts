// The socket options the public API knows, keyed by Winsock's (level, name),
// and the shape of each value. api.ts reads only `kind` (to check the JS
// value); the rest is the POSIX backend's re-creation of ws2_32's answers: an
// unknown level is WSAEINVAL, an unknown name WSAENOPROTOOPT (Microsoft's
// setsockopt page; sock.c test_set_getsockopt). On Windows ws2_32 answers.
import * as K from './constants.js';
import type { OptionKind } from './backends/backend.js';

export interface OptionInfo {
  kind: OptionKind;
  /** getsockopt only (setsockopt answers WSAENOPROTOOPT). */
  readOnly?: boolean;
  /** Only on SOCK_STREAM sockets (others answer WSAENOPROTOOPT). */
  streamOnly?: boolean;
  /**
   * Windows reads the value as a 1-byte BOOLEAN: only the first byte of the
   * int counts, so 0x100 reads back as 0 (sock.c test_set_getsockopt, the
   * options whose getsockopt size is 1). Other BOOLs are nonzero -> 1.
   */
  byteBool?: boolean;
}

export const LEVELS = new Set([K.SOL_SOCKET, K.IPPROTO_TCP, K.IPPROTO_IP, K.IPPROTO_IPV6, K.IPPROTO_UDP]);

const table = new Map<string, OptionInfo>([
  [`${K.SOL_SOCKET}:${K.SO_LINGER}`, { kind: 'linger', streamOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_DONTLINGER}`, { kind: 'dontlinger', streamOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_REUSEADDR}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_KEEPALIVE}`, { kind: 'bool', byteBool: true }],
  [`${K.SOL_SOCKET}:${K.SO_BROADCAST}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_DONTROUTE}`, { kind: 'bool', byteBool: true }],
  [`${K.SOL_SOCKET}:${K.SO_OOBINLINE}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_ACCEPTCONN}`, { kind: 'bool', readOnly: true }],
  [`${K.SOL_SOCKET}:${K.SO_RCVBUF}`, { kind: 'int' }],
  [`${K.SOL_SOCKET}:${K.SO_SNDBUF}`, { kind: 'int' }],
  [`${K.SOL_SOCKET}:${K.SO_RCVTIMEO}`, { kind: 'ms' }],
  [`${K.SOL_SOCKET}:${K.SO_SNDTIMEO}`, { kind: 'ms' }],
  // Windows accepts setting SO_ERROR and reads the value back (sock.c test_set_getsockopt).
  [`${K.SOL_SOCKET}:${K.SO_ERROR}`, { kind: 'int' }],
  // Kept by the library on Linux (Linux's SO_DEBUG needs CAP_NET_ADMIN); sock.c test_so_debug.
  [`${K.SOL_SOCKET}:${K.SO_DEBUG}`, { kind: 'bool' }],
  // Windows' exclusive binding; emulated on Linux (see posix.ts bind).
  [`${K.SOL_SOCKET}:${K.SO_EXCLUSIVEADDRUSE}`, { kind: 'bool' }],
  [`${K.SOL_SOCKET}:${K.SO_TYPE}`, { kind: 'int', readOnly: true }],
  [`${K.IPPROTO_TCP}:${K.TCP_NODELAY}`, { kind: 'bool', streamOnly: true, byteBool: true }],
  [`${K.IPPROTO_IPV6}:${K.IPV6_V6ONLY}`, { kind: 'bool', byteBool: true }],
]);

// Looked up by number: getsockopt/setsockopt are hot, and a string key built
// per call costs an allocation and ~40 ns (bench/breakdown.ts). Each known
// option has one OptionInfo object, so the POSIX backend keys its kept values by it.
const byNumber = new Map<number, Map<number, OptionInfo>>();
for (const [key, info] of table) {
  const [level, name] = key.split(':').map(Number) as [number, number];
  byNumber.set(level, (byNumber.get(level) ?? new Map<number, OptionInfo>()).set(name, info));
}

export function optionInfo(level: number, name: number): OptionInfo | undefined {
  return byNumber.get(level)?.get(name);
}
