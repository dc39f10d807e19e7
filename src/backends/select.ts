// The backend is chosen once, by the platform the process runs on.
import * as posix from './posix.js';

export const backend = posix;
