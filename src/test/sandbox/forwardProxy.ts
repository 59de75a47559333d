// A real HTTP forward proxy on 127.0.0.1 for tests: CONNECT tunnels (what undici and
// https-proxy-agent send) and absolute-URI requests (what http-proxy-agent sends for http:// targets),
// with Basic proxy authentication when credentials are given. Every request is logged.
import * as http from 'http';
import * as net from 'net';
import type { AddressInfo } from 'net';
import type { Dispatcher } from 'undici';

export interface ForwardProxy {
  port: number;
  /**
   * `CONNECT host:port`, `METHOD absolute-url`, or `TUNNEL METHOD path` for plain HTTP inside a tunnel, in
   * arrival order; refused ones end with ' 407'.
   */
  log: string[];
  stop(): Promise<void>;
}

export async function startForwardProxy(auth?: { user: string; password: string }): Promise<ForwardProxy> {
  const log: string[] = [];
  const expected = auth && `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const allowed = (req: http.IncomingMessage) => !expected || req.headers['proxy-authorization'] === expected;
  const sockets = new Set<net.Socket>();
  void globalThis.Headers; // as the engine does: Node's fetch keeps its own dispatcher
  const upstream = new (await import('undici')).Agent();
  const server = http.createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    if (!allowed(req)) {
      log.push(`${line} 407`);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    log.push(line);
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    delete headers['connection'];
    delete headers['keep-alive'];
    // Forwarded with undici, not Node's http module: in VS Code's extension host the http module is
    // routed through VS Code's proxy setting, which would send these requests back here.
    upstream
      .request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: req.method as Dispatcher.HttpMethod,
        headers: headers as Record<string, string>,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
      })
      .then(
        (up) => {
          res.writeHead(up.statusCode, up.headers as http.OutgoingHttpHeaders);
          up.body.pipe(res);
        },
        () => res.destroy(),
      );
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const line = `CONNECT ${req.url}`;
    if (!allowed(req)) {
      log.push(`${line} 407`);
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    log.push(line);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
      // Plain HTTP inside the tunnel: its request lines are logged too (a line split across two
      // reads is missed; tests look for ones that are there).
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(/^([A-Z]+) (\/\S*) HTTP\/1\.1\r$/gm))
          log.push(`TUNNEL ${m[1]} ${m[2]}`);
      });
    });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    log,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await upstream.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
