// Windows-checked expectations from Wine's sock.c, through the library on this OS (see socket-option-readback.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-socket-option-readback');
