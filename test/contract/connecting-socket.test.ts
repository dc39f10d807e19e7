// Windows-checked expectations from Wine's sock.c, through the library on this OS (see connecting-socket.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-connecting-socket');
