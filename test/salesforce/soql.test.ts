import { expect } from 'chai';
import { chunkForIn, soqlIn, soqlLiteral } from '../../src/salesforce/soql.js';

describe('SOQL literals (SOQL and SOSL Reference: Quoted String Escape Sequences)', () => {
  it('quotes and escapes an apostrophe, a backslash and a newline', () => {
    expect(soqlLiteral("o'brien\\x\ny")).to.equal("'o\\'brien\\\\x\\ny'");
  });

  it('writes numbers, booleans, null and dates bare', () => {
    expect(soqlLiteral(4)).to.equal('4');
    expect(soqlLiteral(false)).to.equal('false');
    expect(soqlLiteral(null)).to.equal('null');
    expect(soqlLiteral(new Date('2026-11-20T10:00:00.000Z'))).to.equal('2026-11-20T10:00:00Z');
  });

  it('refuses a non-finite number instead of writing NaN into a query', () => {
    expect(() => soqlLiteral(Number.NaN)).to.throw(TypeError);
  });

  it('builds an IN list, and a list that matches nothing when empty', () => {
    expect(soqlIn(['a', "b'c"])).to.equal("('a','b\\'c')");
    expect(soqlIn([])).to.equal('(null)');
  });

  it('splits long IN lists into chunks that keep every value once and in order', () => {
    const values = Array.from({ length: 3000 }, (_, i) => `person${i}@example.com`);
    const chunks = chunkForIn(values, 2000);
    expect(chunks.length).to.be.greaterThan(1);
    expect(chunks.flat()).to.deep.equal(values);
    for (const chunk of chunks) expect(soqlIn(chunk).length).to.be.at.most(2000 + 30);
  });
});
