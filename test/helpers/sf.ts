/*
 * Runs the real Salesforce CLI hermetically for end-to-end tests: its own HOME, the environment from
 * salesforce-reference.md, Node 22 from this repo first on PATH, and this plugin linked (`sf plugins link`),
 * so a test types exactly what a user types.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binDir = join(repoRoot, 'node_modules', '.bin');

export type SfResult<T = unknown> = {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when --json was passed (the sf JSON envelope: {status, result, warnings, name, message}). */
  json?: SfJson<T>;
};
export type SfJson<T> = { status: number; result: T; warnings?: string[]; name?: string; message?: string; actions?: string[] };
export type RunOptions = { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string };

let shared: SfRunner | undefined;

export class SfRunner {
  public readonly home: string;
  public readonly env: Record<string, string>;

  private constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'sf-e2e-home-'));
    this.env = {
      PATH: `${binDir}:${process.env.PATH ?? ''}`,
      HOME: this.home,
      SF_DISABLE_AUTOUPDATE: 'true',
      SF_SKIP_NEW_VERSION_CHECK: 'true',
      SF_DISABLE_TELEMETRY: 'true',
      SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
      SF_DISABLE_LOG_FILE: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_USE_PROGRESS_BAR: 'false',
      OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
      NODE_NO_WARNINGS: '1',
      TERM: 'dumb',
      NO_COLOR: '1',
    };
  }

  /** One runner per test process: one HOME with the plugin linked once; tests use distinct org aliases. */
  public static get(): SfRunner {
    if (!shared) {
      ensureBuilt();
      shared = new SfRunner();
      const linked = shared.runSync(['plugins', 'link', repoRoot, '--no-install']);
      if (linked.code !== 0) throw new Error(`sf plugins link failed: ${linked.stderr}`);
    }
    return shared;
  }

  /** Run `sf <args>`; never throws on a non-zero exit (tests assert on it). */
  public run<T = unknown>(args: string[], options: RunOptions = {}): Promise<SfResult<T>> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(binDir, 'sf'), args, {
        cwd: options.cwd ?? this.home,
        env: { ...this.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr, json: args.includes('--json') ? parseJson<T>(stdout) : undefined });
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** Start `sf <args>` and hand back the child process (for kill tests). */
  public spawn(args: string[], options: RunOptions = {}): ReturnType<typeof spawn> {
    return spawn(join(binDir, 'sf'), args, {
      cwd: options.cwd ?? this.home,
      env: { ...this.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** `sf org login access-token` into a local org under `alias`. */
  public async login(instanceUrl: string, accessToken: string, alias: string): Promise<void> {
    const result = await this.run(
      ['org', 'login', 'access-token', '--instance-url', instanceUrl, '--alias', alias, '--no-prompt', '--json'],
      { env: { SF_ACCESS_TOKEN: accessToken } }
    );
    if (result.code !== 0) throw new Error(`login failed (${result.code}): ${result.stdout} ${result.stderr}`);
  }

  private runSync(args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(join(binDir, 'sf'), args, { cwd: this.home, env: this.env, encoding: 'utf8', timeout: 180_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
}

function parseJson<T>(stdout: string): SfJson<T> | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as SfJson<T>;
  } catch {
    return undefined;
  }
}

/** Compile and regenerate oclif.manifest.json when any source is newer than the manifest (the CLI reads commands from it). */
function ensureBuilt(): void {
  const manifest = join(repoRoot, 'oclif.manifest.json');
  const builtAt = existsSync(manifest) ? statSync(manifest).mtimeMs : 0;
  const newest = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'messages')));
  if (newest <= builtAt) return;
  const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
  // tsc emits even when another module has type errors; the manifest only needs the emitted commands.
  spawnSync(join(binDir, 'tsc'), ['-p', '.'], { cwd: repoRoot, env, encoding: 'utf8' });
  const manifestRun = spawnSync(join(binDir, 'oclif'), ['manifest'], { cwd: repoRoot, env, encoding: 'utf8' });
  if (manifestRun.status !== 0) throw new Error(`oclif manifest failed:\n${manifestRun.stdout}\n${manifestRun.stderr}`);
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
