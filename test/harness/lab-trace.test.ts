// `winsock-compat trace --port P -- COMMAND`: a program we did not write, in
// any language, traced on loopback: each connection's ladder and a verdict
// saying who closed first, with FIN or RST, the final states and the TIME_WAIT holder.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceResult } from '../../src/harness/trace.js';
import { packageRoot, titled, wire } from './helpers.js';

const cli = join(packageRoot, 'dist', 'cli.js');
// A port nobody listens on now: the kernel picks it (port 0), we let it go and use it at once.
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function trace(port: number, command: string[]): TraceResult {
  const r = spawnSync(process.execPath, [cli, 'trace', '--port', String(port), '--json', '--', ...command], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout) as TraceResult;
}

// A node:net server and a client: the client sends, half-closes, the server
// answers and ends; the client closed first, so it holds TIME_WAIT.
const nodeServer = (port: number): string => `
const net = require('node:net');
const srv = net.createServer((s) => { s.on('data', () => {}); s.on('end', () => s.end('bye')); s.on('close', () => srv.close()); });
srv.listen(${port}, '127.0.0.1', () => {
  const c = net.connect(${port}, '127.0.0.1', () => c.end('hello'));
  c.on('data', () => {});
});`;

// A Python socket server that closes abortively (SO_LINGER {1,0}) after reading: RST.
const pythonServer = (port: number): string => `
import socket, struct, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', ${port})); srv.listen(1)
def serve():
    s, _ = srv.accept()
    s.recv(100)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(('127.0.0.1', ${port})); c.sendall(b'hello')
t.join()
try: c.recv(100)
except ConnectionResetError: pass
c.close(); srv.close()
`;

describe('winsock-compat trace', () => {
  it.skipIf(wire.skip)(titled('without a command: traces until Ctrl-C, then reports what it saw', wire), async () => {
    const port = await freePort();
    // --seconds bounds the trace should this test fail before its Ctrl-C.
    const child = spawn(process.execPath, [cli, 'trace', '--port', String(port), '--json', '--seconds', '20'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 700)); // the capture is open
      // Traffic from this process: a node:net server that answers data with a reset.
      const srv = createServer((s) => s.on('data', () => s.resetAndDestroy()));
      await new Promise<void>((r, fail) => {
        srv.once('error', fail);
        srv.listen(port, '127.0.0.1', r);
      });
      await new Promise<void>((r) => {
        const c = connect(port, '127.0.0.1', () => c.write('x'));
        c.on('error', () => r());
        c.on('close', () => r());
      });
      srv.close();
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const t = JSON.parse(out) as TraceResult;
    expect(t.command).toBeUndefined();
    expect(t.connections).toHaveLength(1);
    expect(t.connections[0]).toMatchObject({ closedFirst: 'server', closedWith: 'RST', timeWaitHolder: 'none' });
  });

  it.skipIf(wire.skip)(titled('a node:net server: the client closes first with FIN and holds TIME_WAIT', wire), async () => {
    const port = await freePort();
    const t = trace(port, [process.execPath, '-e', nodeServer(port)]);
    expect(t.command?.code).toBe(0);
    expect(t.connections).toHaveLength(1);
    const c = t.connections[0]!;
    expect(c.server).toBe(`127.0.0.1:${port}`);
    expect(c.segments.slice(0, 3).map((s) => s.flags)).toEqual(['SYN', 'SYN,ACK', 'ACK']);
    expect(c).toMatchObject({ closedFirst: 'client', closedWith: 'FIN', resets: { client: 0, server: 0 }, timeWaitHolder: 'client' });
    expect(c.final).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(c.kernel).toMatch(/TIME_WAIT \(no owner\)/); // the kernel's table agrees with the wire
    expect(c.ladder).toMatch(/TIME_WAIT/);
  });

  it.skipIf(wire.skip)(titled('a Python socket server closing with linger {1,0}: the server closed first with RST', wire), async () => {
    const port = await freePort();
    const t = trace(port, ['python3', '-c', pythonServer(port)]);
    expect(t.command?.code).toBe(0);
    expect(t.connections).toHaveLength(1);
    const c = t.connections[0]!;
    expect(c).toMatchObject({ closedFirst: 'server', closedWith: 'RST', timeWaitHolder: 'none' });
    expect(c.resets.server).toBe(1);
    expect(c.final).toEqual({ client: 'CLOSED', server: 'CLOSED' });
    expect(c.verdict).toMatch(/^server closed first with RST; RST from server/);
  });
});
