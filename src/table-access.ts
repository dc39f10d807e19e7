// A narrow door into api.ts's start-up count and handle table for the calls
// that live in their own files (select.ts, names.ts). api.ts fills it in when
// it loads; nothing here is exported from the package entry.
import type { SockBase } from './backends/backend.js';

export interface TableAccess {
  /** A successful WSAStartup is in force (the program's own count). */
  started(): boolean;
  /** The record of a live handle, or undefined. */
  get(s: number): SockBase | undefined;
}

let access: TableAccess | undefined;

export function provideTable(a: TableAccess): void {
  access = a;
}

export function table(): TableAccess {
  if (!access) throw new Error('winsock-compat: api.ts was not loaded');
  return access;
}
