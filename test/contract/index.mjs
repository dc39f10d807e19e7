// @ts-check
// The contract list (Windows-checked expectations from sock.c), in the order
// both lanes run them. Each file is one sock.c function's behaviour.
import connectUdp from './connect-udp.mjs';
import lastError from './last-error.mjs';
import namesAndConnect from './names-and-connect.mjs';
import reuseaddr from './reuseaddr.mjs';
import socketArguments from './socket-arguments.mjs';
import socketOptionReadback from './socket-option-readback.mjs';
import tcpReset from './tcp-reset.mjs';
import wsapoll from './wsapoll.mjs';

export const contracts = [socketArguments, socketOptionReadback, lastError, reuseaddr, wsapoll, tcpReset, connectUdp, namesAndConnect];
