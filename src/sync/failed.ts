/*
 * The failed-records file: one JSON line per input line rejected and per record Salesforce refused, with the reason,
 * so nothing is lost silently and a fixed export can be fed again. Created on the first failure, mode 0600 (it holds
 * personal data from the input). Its path is checked before the run writes anything, and a write error later is
 * an error of the run, never an unhandled stream event.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, stat, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export type FailedEntry =
  | { kind: 'input'; line: number; reason: string; text: string }
  | { kind: 'record'; object: string; key: string; lines: number[]; errors: string[]; record?: Record<string, unknown> };

export class FailedRecordsPathError extends Error {
  public constructor(public readonly path: string, reason: string) {
    super(reason);
    this.name = 'FailedRecordsPathError';
  }
}

export class FailedRecordsFile {
  private stream?: WriteStream;
  private error?: Error;
  private written = 0;

  public constructor(public readonly path: string | undefined) {}

  public get count(): number {
    return this.written;
  }

  /** Whether the file can be created or overwritten, without touching it. */
  public async check(): Promise<void> {
    if (!this.path) return;
    const path = resolve(this.path);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) throw new FailedRecordsPathError(this.path, 'it is a directory');
    const target = info ? path : dirname(path);
    const dirInfo = info ? undefined : await stat(target).catch(() => undefined);
    if (!info && !dirInfo?.isDirectory()) throw new FailedRecordsPathError(this.path, `the folder ${target} does not exist`);
    await access(target, constants.W_OK).catch(() => {
      throw new FailedRecordsPathError(this.path ?? '', info ? 'the file is not writable' : `the folder ${target} is not writable`);
    });
  }

  public async add(entry: FailedEntry): Promise<void> {
    this.written++;
    if (!this.path) return;
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { flags: 'w', mode: 0o600 });
      this.stream.on('error', (e) => (this.error ??= e));
    }
    this.throwIfFailed();
    if (!this.stream.write(JSON.stringify(entry) + '\n')) await this.drain(this.stream);
    this.throwIfFailed();
  }

  public async close(): Promise<void> {
    if (!this.stream) return;
    const s = this.stream;
    this.stream = undefined;
    if (!this.error) await new Promise<void>((done) => s.end(() => done()));
    s.destroy();
    this.throwIfFailed();
  }

  private drain(s: WriteStream): Promise<void> {
    return new Promise((done) => {
      const finish = (): void => {
        s.off('drain', finish);
        s.off('error', finish);
        done();
      };
      s.on('drain', finish);
      s.on('error', finish);
    });
  }

  private throwIfFailed(): void {
    if (this.error) throw new FailedRecordsPathError(this.path ?? '', this.error.message);
  }
}
