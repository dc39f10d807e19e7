// The backend is chosen once, by the platform the process runs on. Both load
// everywhere: libc.ts declares its functions only on Linux, ws2_32.ts loads
// the DLL only on Windows. Each file's `backend` object is checked against the
// Backend interface there (`satisfies`), so no cast is needed here. On any
// other OS every backend call throws one clear error (at the program's first
// call, WSAStartup), rather than a TypeError from deep inside a call that has
// no libc bindings.
import type { Backend } from './backend.js';
import { backend as posix } from './posix.js';
import { backend as win32 } from './win32.js';

export const SUPPORTED_PLATFORMS = ['linux', 'win32'] as const;

function unsupported(platform: string): Backend {
  const message = `winsock-compat runs on ${SUPPORTED_PLATFORMS.join(' and ')} only; this process runs on ${platform}`;
  return new Proxy(posix, {
    get(target, key) {
      const v = Reflect.get(target, key);
      return typeof v === 'function'
        ? () => {
            throw new Error(message);
          }
        : v;
    },
  });
}

export const backend: Backend = process.platform === 'win32' ? win32 : process.platform === 'linux' ? posix : unsupported(process.platform);
