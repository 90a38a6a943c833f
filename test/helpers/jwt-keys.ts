/*
 * A throwaway RSA key and self-signed certificate for JWT tests (openssl, as an admin would make them), and a signer
 * for RS256 assertions.
 */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyPair = { dir: string; keyFile: string; certFile: string; key: string; cert: string };

/** `days`: how long the certificate is valid (doctor fails one with fewer than 30 days left). */
export function makeKeyPair(days = 400): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'instruqt-jwt-'));
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', '/CN=instruqt-integration'], {
    stdio: 'ignore',
  });
  return { dir, keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

export function signAssertion(claims: Record<string, unknown>, key: string): string {
  const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}
