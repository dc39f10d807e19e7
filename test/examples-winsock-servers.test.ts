// The two Winsock-style echo servers of examples/ (event-select and
// overlapped), each run in a child process — their WSAWaitForMultipleEvents
// blocks their thread, as in C — against node:net clients in this process.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { expect, it } from 'vitest';

async function serve(example: string, clients: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${example}`, String(clients)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill(), 20_000);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    const look = () => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', look);
    child.on('exit', () => reject(new Error(`server exited early: ${out}${err}`)));
  });
  const exited = once(child, 'exit');
  return {
    port,
    done: async () => {
      const [code] = await exited;
      clearTimeout(killer);
      return { code, out, err };
    },
  };
}

/** A node:net client: sends `msg` in two writes, reads the echo back, then ends (FIN) or resets. */
async function client(port: number, msg: string, reset = false): Promise<string> {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  let got = '';
  c.on('data', (d) => (got += d));
  c.write(msg.slice(0, 5));
  setTimeout(() => c.write(msg.slice(5)), 10);
  const deadline = Date.now() + 5000;
  while (got.length < msg.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (reset) c.resetAndDestroy();
  else {
    c.end();
    await once(c, 'close');
  }
  return got;
}

it('examples/event-select-echo-server.ts: 20 node:net clients echoed; FD_CLOSE says 19 graceful and 1 reset', async () => {
  const srv = await serve('event-select-echo-server.ts', 20);
  const msgs = Array.from({ length: 19 }, (_, i) => `hello from client ${i}`);
  const got = await Promise.all(msgs.map((m) => client(srv.port, m)));
  expect(got).toEqual(msgs);
  expect(await client(srv.port, 'this one resets', true)).toBe('this one resets');
  const { code, out, err } = await srv.done();
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toContain('connections closed: 20 (graceful 19, reset 1)');
  expect(out).toMatch(/FD_CLOSE on socket \d+: WSAECONNRESET/);
  const echoed = Number(/bytes echoed: (\d+)/.exec(out)![1]);
  expect(echoed).toBe(msgs.join('').length + 'this one resets'.length);
  expect(out).toContain('open handles after: 0');
});

it('examples/overlapped-echo-server.ts: 20 node:net clients echoed through WSARecv/WSASend completions', async () => {
  const srv = await serve('overlapped-echo-server.ts', 20);
  const msgs = Array.from({ length: 20 }, (_, i) => `overlapped hello ${i}`);
  const got = await Promise.all(msgs.map((m) => client(srv.port, m)));
  expect(got).toEqual(msgs);
  const { code, out, err } = await srv.done();
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toContain('connections closed: 20 (failed 0)');
  expect(Number(/bytes echoed: (\d+)/.exec(out)![1])).toBe(msgs.join('').length);
  expect(out).toContain('open handles after: 0');
});
