import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { auditSnapshot } from '../../src/perms/audit.js';
import { auditToJUnit } from '../../src/perms/junit.js';
import { loadPolicy } from '../../src/perms/policy.js';
import { seedInstallSnapshot, steadySnapshot } from './fixtures.js';

const policy = loadPolicy();
type Case = { '@_name': string; failure?: { '@_type': string; '#text': string } };
const parse = (xml: string): { testsuites: { '@_failures': string; testsuite: Array<{ '@_name': string; testcase: Case[] }> } } =>
  new XMLParser({ ignoreAttributes: false, isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml) as never;

describe('perms JUnit report', () => {
  it('has one test case per finding, failing findings as <failure> with source and fix', () => {
    const { snapshot } = seedInstallSnapshot();
    const result = auditSnapshot(snapshot, { policy });
    const doc = parse(auditToJUnit(result));
    const suite = doc.testsuites.testsuite[0];
    expect(suite['@_name']).to.equal('instruqt@example.com');
    expect(suite.testcase).to.have.length(result.users[0].findings.length);
    expect(Number(doc.testsuites['@_failures'])).to.equal(result.summary.failing);
    const vad = suite.testcase.find((c) => c['@_name'] === 'installOnly: View All Data');
    expect(vad?.failure?.['@_type']).to.equal('installOnly');
    expect(vad?.failure?.['#text']).to.match(/Granted by: permission set "Instruqt_Integration"/);
    expect(vad?.failure?.['#text']).to.match(/Fix: Run: sf instruqt perms reduce/);
  });

  it('has one passing case per clean user', () => {
    const { snapshot } = steadySnapshot();
    const doc = parse(auditToJUnit(auditSnapshot(snapshot, { policy })));
    expect(doc.testsuites.testsuite[0].testcase).to.have.length(1);
    expect(doc.testsuites.testsuite[0].testcase[0].failure).to.equal(undefined);
  });
});
