// winsock-compat: Winsock's socket API and semantics for Node.js on every platform.
export * from './constants.js';
export * from './api.js';
export { WSA, wsaErrorName, wsaErrorMessage, type WsaErrorName } from './errors.js';
export * from './names.js';
export * from './select.js';
export * from './wsa-codes.js';
