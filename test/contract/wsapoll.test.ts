// Windows-checked expectations from Wine's sock.c, through the library on this OS (see wsapoll.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-wsapoll');
