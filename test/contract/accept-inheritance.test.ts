// Windows-checked expectations from Wine's sock.c, through the library on this OS (see accept-inheritance.mjs).
import { contractSuite } from './suite.js';

contractSuite('contract-accept-inheritance');
