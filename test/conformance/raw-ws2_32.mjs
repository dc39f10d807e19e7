// @ts-check
// The same flat API as the library (the calls the contracts use), but every
// call goes straight to ws2_32.dll through koffi, with nothing of the
// library in between: the baseline the library is compared with under Wine
// (test/windows/contract-vs-raw.test.ts). Handles are ws2_32's own SOCKET
// values, as a C program sees them. Windows only.
import koffi from 'koffi';

if (process.platform !== 'win32') throw new Error('raw-ws2_32.mjs calls ws2_32.dll: Windows (or Wine) only');

const lib = koffi.load('ws2_32.dll');
const f = (/** @type {string} */ sig) => lib.func(sig);
const N = {
  WSAStartup: f('int __stdcall WSAStartup(uint16_t v, void *data)'),
  WSACleanup: f('int __stdcall WSACleanup()'),
  WSAGetLastError: f('int __stdcall WSAGetLastError()'),
  WSASetLastError: f('void __stdcall WSASetLastError(int e)'),
  socket: f('uintptr_t __stdcall socket(int af, int type, int protocol)'),
  bind: f('int __stdcall bind(uintptr_t s, const void *name, int namelen)'),
  listen: f('int __stdcall listen(uintptr_t s, int backlog)'),
  accept: f('uintptr_t __stdcall accept(uintptr_t s, void *addr, void *addrlen)'),
  connect: f('int __stdcall connect(uintptr_t s, const void *name, int namelen)'),
  send: f('int __stdcall send(uintptr_t s, const void *buf, int len, int flags)'),
  recv: f('int __stdcall recv(uintptr_t s, void *buf, int len, int flags)'),
  sendto: f('int __stdcall sendto(uintptr_t s, const void *buf, int len, int flags, const void *to, int tolen)'),
  recvfrom: f('int __stdcall recvfrom(uintptr_t s, void *buf, int len, int flags, void *from, void *fromlen)'),
  shutdown: f('int __stdcall shutdown(uintptr_t s, int how)'),
  closesocket: f('int __stdcall closesocket(uintptr_t s)'),
  setsockopt: f('int __stdcall setsockopt(uintptr_t s, int level, int optname, const void *optval, int optlen)'),
  getsockopt: f('int __stdcall getsockopt(uintptr_t s, int level, int optname, void *optval, void *optlen)'),
  ioctlsocket: f('int __stdcall ioctlsocket(uintptr_t s, uint32_t cmd, void *argp)'),
  WSAPoll: f('int __stdcall WSAPoll(void *fds, uint32_t n, int timeout)'),
  getsockname: f('int __stdcall getsockname(uintptr_t s, void *name, void *namelen)'),
  getpeername: f('int __stdcall getpeername(uintptr_t s, void *name, void *namelen)'),
};

const INVALID = 0xffff_ffff_ffff_ffffn;
/** A handle as ws2_32's SOCKET (a negative number is INVALID_SOCKET). @param {number} s */
const S = (s) => (s < 0 ? INVALID : BigInt(s));
/** ws2_32's SOCKET as the program's number. @param {number | bigint} v */
const H = (v) => (BigInt(v) === INVALID ? -1 : Number(v));

/** @param {{ family: number, address: string, port: number }} a */
function encode(a) {
  if (a.family === 23) {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(23, 0);
    b.writeUInt16BE(a.port, 2);
    // Node's own parser gives the 16 bytes (net.SocketAddress is not needed here).
    const groups = expand6(a.address);
    groups.forEach((g, i) => b.writeUInt16BE(g, 8 + i * 2));
    return b;
  }
  const b = Buffer.alloc(16);
  b.writeUInt16LE(a.family & 0xffff, 0);
  b.writeUInt16BE(a.port, 2);
  if (a.family === 2) a.address.split('.').forEach((x, i) => (b[4 + i] = Number(x)));
  return b;
}

/** @param {string} text */
function expand6(text) {
  const [h, t] = text.includes('::') ? text.split('::') : [text, undefined];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const all = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  return all.map((g) => parseInt(g, 16));
}

/** @param {Buffer} b @param {any} out */
function decode(b, out) {
  const family = b.readUInt16LE(0);
  out.family = family;
  out.port = b.readUInt16BE(2);
  if (family === 2) out.address = [4, 5, 6, 7].map((i) => b[i]).join('.');
  else if (family === 23) {
    const g = [];
    for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(8 + i * 2).toString(16));
    out.address = g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
}

export const backendName = 'raw-ws2_32';
export const WSAStartup = (/** @type {number} */ v) => N.WSAStartup(v, Buffer.alloc(512));
export const WSACleanup = () => N.WSACleanup();
export const WSAGetLastError = () => N.WSAGetLastError();
export const WSASetLastError = (/** @type {number} */ e) => N.WSASetLastError(e);
export const socket = (/** @type {number} */ af, /** @type {number} */ type, /** @type {number} */ p) => H(N.socket(af, type, p));
/** @param {number} s @param {any} a */
export const bind = (s, a) => {
  const b = encode(a);
  return N.bind(S(s), b, b.length);
};
export const listen = (/** @type {number} */ s, /** @type {number} */ n) => N.listen(S(s), n);
/** @param {number} s @param {any} [out] */
export const accept = (s, out) => {
  const b = Buffer.alloc(128);
  const len = Int32Array.of(128);
  const r = H(N.accept(S(s), b, len));
  if (r !== -1 && out) decode(b, out);
  return r;
};
/** @param {number} s @param {any} a */
export const connect = (s, a) => {
  const b = encode(a);
  return N.connect(S(s), b, b.length);
};
/** @param {number} s @param {Uint8Array} buf */
export const send = (s, buf, len = buf.length, flags = 0) => N.send(S(s), buf, len, flags);
/** @param {number} s @param {Uint8Array} buf */
export const recv = (s, buf, len = buf.length, flags = 0) => N.recv(S(s), buf, len, flags);
/** @param {number} s @param {Uint8Array} buf @param {number} len @param {number} flags @param {any} a */
export const sendto = (s, buf, len, flags, a) => {
  const b = encode(a);
  return N.sendto(S(s), buf, len, flags, b, b.length);
};
/** @param {number} s @param {Uint8Array} buf @param {number} len @param {number} flags @param {any} [out] */
export const recvfrom = (s, buf, len, flags, out) => {
  const b = Buffer.alloc(128);
  const l = Int32Array.of(128);
  const r = N.recvfrom(S(s), buf, len, flags, b, l);
  if (r >= 0 && out) decode(b, out);
  return r;
};
export const shutdown = (/** @type {number} */ s, /** @type {number} */ how) => N.shutdown(S(s), how);
export const closesocket = (/** @type {number} */ s) => N.closesocket(S(s));
/** @param {number} s @param {number} level @param {number} name @param {any} v */
export const setsockopt = (s, level, name, v) => {
  let b;
  if (v !== null && typeof v === 'object') {
    b = Buffer.alloc(4);
    b.writeUInt16LE(v.l_onoff, 0);
    b.writeUInt16LE(v.l_linger, 2);
  } else {
    b = Buffer.alloc(4);
    const n = typeof v === 'boolean' ? Number(v) : v;
    if (n < 0) b.writeInt32LE(n, 0);
    else b.writeUInt32LE(n >>> 0, 0);
  }
  return N.setsockopt(S(s), level, name, b, b.length);
};
/** @param {number} s @param {number} level @param {number} name @param {any} out */
export const getsockopt = (s, level, name, out) => {
  const b = Buffer.alloc(4);
  const len = Int32Array.of(4);
  const r = N.getsockopt(S(s), level, name, b, len);
  if (r !== 0) return r;
  if (!Array.isArray(out)) {
    out.l_onoff = b.readUInt16LE(0);
    out.l_linger = b.readUInt16LE(2);
  } else out[0] = len[0] === 1 ? b[0] : level === 0xffff && (name === 0x1005 || name === 0x1006) ? b.readUInt32LE(0) : b.readInt32LE(0);
  return 0;
};
/** @param {number} s @param {number} cmd @param {number[]} argp */
export const ioctlsocket = (s, cmd, argp) => {
  const a = Uint32Array.of((argp[0] ?? 0) >>> 0);
  const r = N.ioctlsocket(S(s), cmd >>> 0, a);
  if (r === 0) argp[0] = a[0];
  return r;
};
/** @param {{ fd: number, events: number, revents: number }[]} fds @param {number} ms */
export const WSAPoll = (fds, ms) => {
  const b = Buffer.alloc(16 * Math.max(1, fds.length));
  fds.forEach((p, i) => {
    b.writeBigUInt64LE(S(p.fd), i * 16);
    b.writeInt16LE((p.events << 16) >> 16, i * 16 + 8);
    b.writeInt16LE((p.revents << 16) >> 16, i * 16 + 10);
  });
  const r = N.WSAPoll(fds.length ? b : null, fds.length, ms);
  fds.forEach((p, i) => (p.revents = b.readUInt16LE(i * 16 + 10)));
  return r;
};
/** @param {number} s @param {any} out */
export const getsockname = (s, out) => {
  const b = Buffer.alloc(128);
  const r = N.getsockname(S(s), b, Int32Array.of(128));
  if (r === 0) decode(b, out);
  return r;
};
/** @param {number} s @param {any} out */
export const getpeername = (s, out) => {
  const b = Buffer.alloc(128);
  const r = N.getpeername(S(s), b, Int32Array.of(128));
  if (r === 0) decode(b, out);
  return r;
};
