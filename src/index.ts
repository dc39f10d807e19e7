// winsock-compat: Winsock's socket API and semantics for Node.js on every platform.
export * from './constants.js';
export * from './api.js';
export * from './wsa-codes.js';
export { WSA, WinsockError, wsaErrorName, wsaErrorMessage, type WsaErrorName } from './errors.js';
export * from './names.js';
export * from './select.js';
