/*
 * `npm run bench -- org`: how fast the local org answers, so that later benchmarks know it is not the bottleneck.
 * Measures loading 50,000 Leads in-process, then requests per second over HTTP for simple queries (by Id, by an
 * unindexed field over 50,000 rows) and for 200-record sObject Collections inserts.
 */
import { startLocalOrg, type LocalOrg } from '../emulator/index.js';

type Result = { name: string; requests: number; seconds: number; perSecond: number; note?: string };

const CONCURRENCY = 8;

async function measure(name: string, seconds: number, request: (i: number) => Promise<Response>, note?: string): Promise<Result> {
  let issued = 0;
  let failed = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const res = await request(issued++);
      await res.arrayBuffer();
      if (!res.ok) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed) throw new Error(`${name}: ${failed} of ${issued} requests failed`);
  const elapsed = (Date.now() - started) / 1000;
  return { name, requests: issued, seconds: elapsed, perSecond: issued / elapsed, note };
}

function client(local: LocalOrg): (method: string, path: string, body?: unknown) => Promise<Response> {
  return (method, path, body) =>
    fetch(`${local.instanceUrl}/services/data/v65.0${path}`, {
      method,
      headers: { Authorization: `Bearer ${local.adminToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Runs the measurements and prints them; the results are returned for callers that want the numbers. */
export async function measureOrg(options: { seconds?: number; leads?: number } = {}): Promise<Result[]> {
  const seconds = options.seconds ?? 3;
  const leadCount = options.leads ?? 50_000;
  const local = await startLocalOrg({ dailyApiLimit: 10_000_000 });
  try {
    const started = Date.now();
    local.org.transaction(() => {
      for (let i = 0; i < leadCount; i++) {
        local.org.insert('Lead', { LastName: `Bench ${i}`, Company: 'Bench', Email: `bench${i}@example.com` });
      }
    });
    const loadSeconds = (Date.now() - started) / 1000;
    const call = client(local);
    const q = (soql: string): string => `/query?q=${encodeURIComponent(soql)}`;
    const results: Result[] = [
      {
        name: `load ${leadCount.toLocaleString('en-US')} Leads (in-process)`,
        requests: leadCount,
        seconds: loadSeconds,
        perSecond: leadCount / loadSeconds,
        note: 'records/s',
      },
      await measure('query by Id (User)', seconds, () => call('GET', q(`SELECT Id, Name, Profile.Name FROM User WHERE Id = '${local.adminUserId}'`))),
      await measure(
        `query unindexed field over ${leadCount.toLocaleString('en-US')} Leads`,
        seconds,
        (i) => call('GET', q(`SELECT Id, Name FROM Lead WHERE Email = 'bench${(i * 7919) % leadCount}@example.com'`))
      ),
      await measure(
        'collections insert, 200 Leads per request',
        seconds,
        (i) =>
          call('POST', '/composite/sobjects', {
            allOrNone: false,
            records: Array.from({ length: 200 }, (_, j) => ({ attributes: { type: 'Lead' }, LastName: `C${i}-${j}`, Company: 'Bench' })),
          }),
        'x200 records'
      ),
    ];
    console.log(`Local org benchmark (${CONCURRENCY} concurrent clients, ${seconds}s each)`);
    for (const r of results) {
      const extra = r.note === 'x200 records' ? ` (${Math.round(r.perSecond * 200).toLocaleString('en-US')} records/s)` : '';
      const unit = r.note === 'records/s' ? 'records/s' : 'requests/s';
      console.log(`  ${r.name.padEnd(48)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(8)} ${unit}${extra}`);
    }
    return results;
  } finally {
    await local.stop();
  }
}

export async function benchOrg(options: { seconds?: number; leads?: number } = {}): Promise<void> {
  await measureOrg(options);
}
