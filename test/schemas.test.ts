/*
 * The committed --json result schemas are what the result types generate (`npm run schemas`): a type changed without
 * regenerating, or a schema edited by hand, fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateResultSchemas, RESULT_SCHEMAS } from '../scripts/result-schemas.js';

const root = join(import.meta.dirname, '..');

describe('result schemas (schemas/*.json)', () => {
  it('match the result types of the commands; run `npm run schemas` after changing a type', function () {
    this.timeout(180_000);
    const generated = generateResultSchemas();
    expect(Object.keys(generated).sort()).to.deep.equal(RESULT_SCHEMAS.map((s) => s.file).sort());
    for (const [file, text] of Object.entries(generated)) {
      const committed = readFileSync(join(root, 'schemas', file), 'utf8');
      expect(JSON.parse(committed), `schemas/${file} drifted from its type: run npm run schemas`).to.deep.equal(JSON.parse(text));
    }
  });
});
