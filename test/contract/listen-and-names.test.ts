// Windows-checked expectations from Wine's sock.c, through the library on this OS (see listen-and-names.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-listen-and-names');
