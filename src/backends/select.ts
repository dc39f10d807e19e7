// The backend is chosen once, by the platform the process runs on. Both load
// everywhere: libc.ts declares nothing off Linux, ws2_32.ts loads the DLL only
// on Windows.
import * as posix from './posix.js';
import * as win32 from './win32.js';

export const backend = process.platform === 'win32' ? win32 : posix;
