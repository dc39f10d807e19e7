// Windows-checked expectations from Wine's sock.c, through the library on this OS (see tcp-reset.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-tcp-reset');
