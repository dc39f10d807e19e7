// @ts-check
// The contract list (Windows-checked expectations from sock.c), in the order
// both lanes run them. Each file is one sock.c function's behaviour.
import acceptInheritance from './accept-inheritance.mjs';
import connectUdp from './connect-udp.mjs';
import connectingSocket from './connecting-socket.mjs';
import lastError from './last-error.mjs';
import listenAndNames from './listen-and-names.mjs';
import namesAndConnect from './names-and-connect.mjs';
import reuseaddr from './reuseaddr.mjs';
import shutdown from './shutdown.mjs';
import socketArguments from './socket-arguments.mjs';
import socketOptionReadback from './socket-option-readback.mjs';
import tcpReset from './tcp-reset.mjs';
import wsapoll from './wsapoll.mjs';

export const contracts = [
  socketArguments,
  socketOptionReadback,
  lastError,
  reuseaddr,
  acceptInheritance,
  listenAndNames,
  wsapoll,
  tcpReset,
  shutdown,
  connectUdp,
  connectingSocket,
  namesAndConnect,
];
