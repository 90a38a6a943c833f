/*
 * `npm run bench -- <name>`: runs one benchmark (org, sync) and prints its report. Timings live here, not in tests.
 */
const benches: Record<string, () => Promise<unknown>> = {
  org: async () => (await import('./org.js')).benchOrg(),
  sync: async () => (await import('./sync.js')).benchSync({}),
};

const name = process.argv[2];
const bench = name ? benches[name] : undefined;
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await bench();
