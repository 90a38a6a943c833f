import { expect } from 'chai';
import { id15, sameId } from '../../src/salesforce/ids.js';

describe('record ids', () => {
  it('takes an 18-character id and its 15-character form as the same record', () => {
    expect(sameId('005Dn000001ABcdIAG', '005Dn000001ABcd')).to.equal(true);
    expect(id15('005Dn000001ABcdIAG')).to.equal('005Dn000001ABcd');
  });

  it('keeps ids case-sensitive and never matches a missing id', () => {
    expect(sameId('005Dn000001ABcd', '005Dn000001ABCD')).to.equal(false);
    expect(sameId(undefined, undefined)).to.equal(false);
    expect(sameId(null, '005Dn000001ABcd')).to.equal(false);
  });
});
