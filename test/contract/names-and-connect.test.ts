// Windows-checked expectations from Wine's sock.c, through the library on this OS (see names-and-connect.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-names-and-connect');
