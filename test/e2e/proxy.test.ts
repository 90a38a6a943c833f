/*
 * Behind a corporate proxy: with HTTP_PROXY / HTTPS_PROXY set, every request of install, perms check and sync goes
 * through the proxy, as the sf CLI's own requests do (jsforce sends them all through its transport, which honours
 * those variables; it proxies 127.0.0.1 too and does not read NO_PROXY). The proxy here counts what it forwards; the
 * org counts what it was asked; equal counts mean no request went around the proxy.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startE2EOrg, loginAs, type E2EOrg } from '../helpers/org.js';
import type { InstallResult } from '../../src/install/types.js';
import type { SyncResult } from '../../src/sync/engine.js';
import { completedRaw, inviteRaw, ndjson, startedRaw, type Person } from '../sync/fixtures.js';

/** A forward proxy (absolute-URI requests and CONNECT tunnels, whose plain HTTP it reads request by request). */
class CountingProxy {
  /** Requests the org charges as API calls (REST data API and SOAP), as forwarded. */
  public apiRequests = 0;
  public requests = 0;
  private readonly server: http.Server;
  private readonly tunnelled: http.Server;

  public constructor(private readonly target: { host: string; port: number }) {
    this.tunnelled = http.createServer((req, res) => this.forward(req, res));
    this.server = http.createServer((req, res) => this.forward(req, res));
    // undici's ProxyAgent opens a CONNECT tunnel even to an http:// origin: read the requests inside it.
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) socket.unshift(head);
      this.tunnelled.emit('connection', socket);
    });
  }

  public async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    this.tunnelled.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').replace(/^https?:\/\/[^/]+/, '');
    this.requests++;
    if (/^\/+services\/(data\/v\d|Soap\/)/.test(path)) this.apiRequests++;
    const upstream = http.request({ ...this.target, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

describe('sf instruqt behind an HTTP(S) proxy (end to end)', function () {
  this.timeout(600_000);
  let o: E2EOrg;
  let proxy: CountingProxy;
  let env: Record<string, string>;

  before(async () => {
    o = await startE2EOrg();
    const url = new URL(o.local.instanceUrl);
    proxy = new CountingProxy({ host: url.hostname, port: Number(url.port) });
    const proxyUrl = await proxy.listen();
    env = { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl };
  });
  after(async () => {
    await o?.local.stop();
    await proxy?.close();
  });

  const counted = async <T>(args: string[]): Promise<{ code: number; result?: T; out: string }> => {
    o.local.resetApiCalls();
    proxy.apiRequests = 0;
    proxy.requests = 0;
    const r = await o.sf.run<T>([...args, '--json'], { env, timeoutMs: 240_000 });
    expect(proxy.apiRequests, `${args.join(' ')}: API calls through the proxy`).to.equal(o.local.apiCalls());
    expect(proxy.apiRequests).to.be.greaterThan(0);
    return { code: r.code, result: r.json?.result, out: r.stdout + r.stderr };
  };

  it('sends every request of install, perms check and sync through the proxy', async () => {
    const install = await counted<InstallResult>(['instruqt', 'install', '--target-org', o.alias]);
    expect(install.code, install.out).to.equal(0);
    expect(install.result?.deploy?.success).to.equal(true);
    // The deploy and its polls (Metadata API) were proxied too, and counted in the command's apiCalls.
    expect(install.result?.apiCalls.total).to.be.at.most(o.local.apiCalls());
    expect(install.result?.apiCalls.total).to.be.greaterThan(install.result?.apiCalls.deployPolls ?? 0);

    const check = await counted(['instruqt', 'perms', 'check', '--target-org', o.alias]);
    expect(check.code, check.out).to.equal(0);

    const userId = String(o.local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0]?.Id);
    const integration = await loginAs(o, userId);
    const dir = mkdtempSync(join(tmpdir(), 'proxy-sync-'));
    const ada: Person = { id: 'p-ada', email: "ada.o'brien@example.com", firstName: 'Ada', lastName: "O'Brien", company: 'Engines' };
    writeFileSync(join(dir, 'plays.ndjson'), ndjson([inviteRaw(ada), startedRaw(ada, 'play-1'), completedRaw(ada, 'play-1', 900)]));
    const sync = await counted<SyncResult>([
      'instruqt',
      'sync',
      '-o',
      integration,
      '--file',
      join(dir, 'plays.ndjson'),
      '--journal-dir',
      join(dir, 'journal'),
      '--failed-records',
      join(dir, 'failed.ndjson'),
    ]);
    expect(sync.code, sync.out).to.equal(0);
    expect(sync.result?.plays.created).to.equal(1);
    expect(o.local.org.query('Instruqt_Play__c')).to.have.length(1);
  });
});
