/*
 * What `npm pack` ships: the plugin's runtime files, its licence, the documents its README points to, and nothing of
 * the local org (emulator/ and its SOQL parser are development-only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../helpers/sf.js';

type Pkg = { license: string; files: string[]; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Pkg;

function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  const [packed] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
  return packed.files.map((f) => f.path);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  );
}

describe('the npm package', () => {
  let files: string[];
  before(function () {
    this.timeout(60_000);
    files = packedFiles();
  });

  it('ships the Apache-2.0 LICENSE its package.json names', () => {
    expect(pkg.license).to.equal('Apache-2.0');
    expect(files).to.include('LICENSE');
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).to.match(/Apache License\s+Version 2\.0, January 2004/);
  });

  it('lists in "files" only paths that exist (lib and the manifest once built)', () => {
    const built = ['/lib', '/oclif.manifest.json'];
    for (const entry of pkg.files.filter((f) => !built.includes(f))) {
      expect(existsSync(join(repoRoot, entry)), entry).to.equal(true);
    }
    expect(pkg.files).to.not.include('/oclif.lock');
  });

  it('ships messages, schemas, force-app and the policy, and nothing of the local org or the tests', () => {
    for (const prefix of ['messages/', 'schemas/', 'force-app/', 'policy/']) {
      expect(files.some((f) => f.startsWith(prefix)), prefix).to.equal(true);
    }
    expect(files.filter((f) => /^(emulator|test|src|bench|scripts)\//.test(f))).to.deep.equal([]);
  });

  it('keeps the SOQL parser of the local org out of the runtime dependencies', () => {
    expect(pkg.dependencies).to.not.have.property('@jetstreamapp/soql-parser-js');
    expect(pkg.devDependencies).to.have.property('@jetstreamapp/soql-parser-js');
    const users = sources(join(repoRoot, 'src')).filter((f) => readFileSync(f, 'utf8').includes('soql-parser-js'));
    expect(users).to.deep.equal([]);
  });

  it('ships every document the packaged README points to', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const named = [
      ...[...readme.matchAll(/`([\w./-]+\.md)`/g)].map((m) => m[1]),
      ...[...readme.matchAll(/\]\((?!https?:|#)([^)]+)\)/g)].map((m) => m[1]),
    ];
    expect(named.length).to.be.greaterThan(0);
    for (const doc of named) expect(files, doc).to.include(doc.replace(/^\.\//, ''));
  });
});
