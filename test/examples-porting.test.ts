// The porting guide's two complete programs (docs/porting.md), each run as a
// plain Node process against node:net peers: a getaddrinfo client (the shape
// of Microsoft's "Complete Winsock Client Code") and a select() echo server.
import { execFile, spawn } from 'node:child_process';
import { createServer, connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const args = (name: string) => ['--import', 'tsx', `examples/${name}`];

it('examples/getaddrinfo-client.ts: resolves localhost, sends, half-closes, reads the echo to EOF', async () => {
  // A node:net echo server that answers once the client's FIN arrives.
  const server = createServer((sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => sock.end(Buffer.concat(chunks)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...args('getaddrinfo-client.ts'), 'localhost', String(port), 'hello, winsock'],
      { timeout: 20_000 },
    );
    expect(stdout).toContain(`connected to 127.0.0.1 port ${port}`);
    expect(stdout).toContain('Bytes Sent: 14');
    expect(stdout).toContain('Connection closed');
    expect(stdout).toContain('Echo: "hello, winsock"');
  } finally {
    server.close();
  }
});

it('examples/select-echo-server.ts: serves three node:net clients at once through select', async () => {
  const child = spawn(process.execPath, [...args('select-echo-server.ts'), '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = once(child, 'exit');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        const m = /listening on port (\d+)/.exec(out);
        if (m) (clearTimeout(timer), resolve(Number(m[1])));
      });
    });
    // Three clients connected together; each gets its own bytes back.
    const echoes = await Promise.all(
      ['alpha', 'bravo', 'charlie'].map(
        (word) =>
          new Promise<string>((resolve, reject) => {
            const c = connect(port, '127.0.0.1');
            let got = '';
            c.on('error', reject);
            c.on('data', (d) => {
              got += d;
              if (got.length >= word.length * 2) c.end();
            });
            c.on('close', () => resolve(got));
            c.write(word);
            setTimeout(() => c.write(word), 50);
          }),
      ),
    );
    expect(echoes).toEqual(['alphaalpha', 'bravobravo', 'charliecharlie']);
    const [code] = await Promise.race([
      exited,
      new Promise<never>((_, r) => setTimeout(() => r(new Error('server did not exit')), 15_000)),
    ]);
    expect(code).toBe(0);
    expect(out).toContain('served 3 clients, echoed 34 bytes');
  } finally {
    child.kill();
  }
});
