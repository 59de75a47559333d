// A TCP relay on 127.0.0.1 that counts the bytes passing through it each way: point a client at it
// to measure how much of a transfer went through that client.
import * as net from 'net';
import type { AddressInfo } from 'net';

export interface CountingRelay {
  /** host:port to connect to instead of the target. */
  address: string;
  port: number;
  /** Bytes from the client to the target, and back. */
  up: number;
  down: number;
  stop(): Promise<void>;
}

export async function startCountingRelay(targetHost: string, targetPort: number): Promise<CountingRelay> {
  const sockets = new Set<net.Socket>();
  const relay = { up: 0, down: 0 } as CountingRelay;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => (relay.up += d.length));
    upstream.on('data', (d: Buffer) => (relay.down += d.length));
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  relay.port = (server.address() as AddressInfo).port;
  relay.address = `127.0.0.1:${relay.port}`;
  relay.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return relay;
}
