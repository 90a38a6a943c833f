/*
 * The failed-records file: one JSON line per input line rejected and per record Salesforce refused, with the reason,
 * so nothing is lost silently and a fixed export can be fed again. Created on the first failure, mode 0600 (it holds
 * personal data from the input).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export type FailedEntry =
  | { kind: 'input'; line: number; reason: string; text: string }
  | { kind: 'record'; object: string; key: string; lines: number[]; errors: string[]; record?: Record<string, unknown> };

export class FailedRecordsFile {
  private stream?: WriteStream;
  private written = 0;

  public constructor(public readonly path: string | undefined) {}

  public get count(): number {
    return this.written;
  }

  public async add(entry: FailedEntry): Promise<void> {
    this.written++;
    if (!this.path) return;
    this.stream ??= createWriteStream(this.path, { flags: 'w', mode: 0o600 });
    if (!this.stream.write(JSON.stringify(entry) + '\n')) await once(this.stream, 'drain');
  }

  public async close(): Promise<void> {
    if (!this.stream) return;
    const s = this.stream;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
