// Windows-checked expectations from Wine's sock.c, through the library on this OS (see socket-arguments.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-socket-arguments');
