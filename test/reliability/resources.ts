// What a reliability run counts to prove nothing leaked and nothing else was
// touched: the process's descriptors, the handle table, the descriptors libuv's
// epoll instances watch (koffi.node.poll watchers are uv_poll handles, invisible
// to Node's own resource list, but each one is an entry in an epoll interest
// list, which the kernel shows in /proc/self/fdinfo), and Node's active timers.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as W from '../../src/index.js';

export const fdCount = (): number => readdirSync('/proc/self/fd').length;

/** Descriptors watched by every epoll instance of this process (libuv's loops: this thread's and the workers'). */
export function watchedFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed while we listed
    }
    if (target !== 'anon_inode:[eventpoll]') continue;
    try {
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('tfd:')).length;
    } catch {
      /* closed while we read */
    }
  }
  return n;
}

/** Node's active timers (setTimeout/setInterval not yet fired or cleared). */
export const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

export interface ResourceSnapshot {
  fds: number;
  handles: number;
  watched: number;
  timers: number;
}

export function snapshot(): ResourceSnapshot {
  return { fds: fdCount(), handles: W.openHandles().length, watched: watchedFds(), timers: activeTimers() };
}

/**
 * Descriptors outside the code under test, opened once: a file with known
 * bytes. `check()` says what changed (empty when nothing did): the fd still
 * names the same inode at the same offset with the same contents.
 */
export function fileSentinel(): { fd: number; check: () => string[]; close: () => void } {
  const path = join(tmpdir(), `wsc-sentinel-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const content = Buffer.from('sentinel: must read back unchanged\n');
  writeFileSync(path, content);
  const fd = openSync(path, 'r');
  const ino = fstatSync(fd).ino;
  const link = readlinkSync(`/proc/self/fd/${fd}`);
  return {
    fd,
    check() {
      const bad: string[] = [];
      try {
        if (fstatSync(fd).ino !== ino) bad.push(`file sentinel fd ${fd}: inode changed`);
        if (readlinkSync(`/proc/self/fd/${fd}`) !== link) bad.push(`file sentinel fd ${fd}: now ${readlinkSync(`/proc/self/fd/${fd}`)}`);
        const b = Buffer.alloc(content.length);
        if (readSync(fd, b, 0, b.length, 0) !== content.length || !b.equals(content)) bad.push(`file sentinel fd ${fd}: contents changed`);
      } catch (e) {
        bad.push(`file sentinel fd ${fd}: ${String(e)}`);
      }
      return bad;
    },
    close() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/** The inode behind an fd, from /proc (undefined when the fd is not open). */
export function fdTarget(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}
