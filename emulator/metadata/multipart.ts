/*
 * Minimal multipart/form-data reader for the REST deploy (`POST .../metadata/deployRequest`): jsforce sends the zip
 * as part `file` and the options as part `entity_content` (JSON).
 */
export type Part = { name: string; filename?: string; contentType?: string; data: Buffer };

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) return [];
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    let chunk = body.subarray(start + delimiter.length, next);
    if (chunk.subarray(0, 2).toString() === '\r\n') chunk = chunk.subarray(2);
    if (chunk.subarray(chunk.length - 2).toString() === '\r\n') chunk = chunk.subarray(0, chunk.length - 2);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = chunk.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      parts.push({ name, filename, contentType: type, data: chunk.subarray(headerEnd + 4) });
    }
    start = next;
  }
  return parts;
}
