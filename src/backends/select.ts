// The backend is chosen once, by the platform the process runs on. Both load
// everywhere: libc.ts declares nothing off Linux, ws2_32.ts loads the DLL only
// on Windows. Each file's `backend` object is checked against the Backend
// interface there (`satisfies`), so no cast is needed here.
import type { Backend } from './backend.js';
import { backend as posix } from './posix.js';
import { backend as win32 } from './win32.js';

export const backend: Backend = process.platform === 'win32' ? win32 : posix;
