/*
 * install --related-lists as a library: the Instruqt Plays related list is added to Salesforce's default Lead and
 * Contact layouts of the local org, every other part of each layout is kept, and a second run changes nothing.
 */
import { expect } from 'chai';
import {
  addRelatedLists,
  removeRelatedLists,
  withRelatedList,
  withoutRelatedList,
  hasRelatedList,
} from '../../../src/install/extras/related-lists.js';
import { retrieveFiles } from '../../../src/salesforce/metadata.js';
import { CONTACT_LAYOUT, LEAD_LAYOUT } from '../../../emulator/layouts.js';
import { storeOf } from '../../../emulator/metadata/store.js';
import { startInstalled, type Installed } from '../../helpers/installed-org.js';

const RELATED = `
    <relatedLists>
        <fields>NAME</fields>
        <fields>CREATED_DATE</fields>
        <fields>Time_Spent__c</fields>
        <fields>Feedback__c</fields>
        <fields>Score__c</fields>
        <fields>Instruqt_Track__c</fields>
        <relatedList>Instruqt_Play__c.Lead__c</relatedList>
    </relatedLists>
`;

describe('related lists: layout editing', () => {
  it('adds the related list after the last existing one and changes nothing else', () => {
    const edited = withRelatedList(LEAD_LAYOUT, 'Instruqt_Play__c.Lead__c');
    expect(edited).to.be.a('string');
    const at = LEAD_LAYOUT.lastIndexOf('</relatedLists>') + '</relatedLists>\n'.length;
    expect(edited).to.equal(LEAD_LAYOUT.slice(0, at) + RELATED.slice(1) + LEAD_LAYOUT.slice(at));
  });

  it('adds nothing to a layout that already has it', () => {
    const once = withRelatedList(LEAD_LAYOUT, 'Instruqt_Play__c.Lead__c') ?? '';
    expect(withRelatedList(once, 'Instruqt_Play__c.Lead__c')).to.equal(undefined);
  });

  it('puts the related list where the Layout schema expects it when the layout has none', () => {
    const bare = '<?xml version="1.0" encoding="UTF-8"?>\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n    <layoutSections>\n        <label>Info</label>\n    </layoutSections>\n    <showEmailCheckbox>false</showEmailCheckbox>\n</Layout>\n';
    const edited = withRelatedList(bare, 'Instruqt_Play__c.Contact__c') ?? '';
    expect(edited.indexOf('<relatedLists>')).to.be.greaterThan(edited.indexOf('</layoutSections>'));
    expect(edited.indexOf('<relatedLists>')).to.be.lessThan(edited.indexOf('<showEmailCheckbox>'));
  });

  it('removes exactly the block it added', () => {
    const added = withRelatedList(CONTACT_LAYOUT, 'Instruqt_Play__c.Contact__c') ?? '';
    expect(withoutRelatedList(added, 'Instruqt_Play__c.Contact__c')).to.equal(CONTACT_LAYOUT);
    expect(withoutRelatedList(CONTACT_LAYOUT, 'Instruqt_Play__c.Contact__c')).to.equal(undefined);
  });
});

describe('related lists: against the local org', function () {
  this.timeout(60_000);
  let env: Installed;
  beforeEach(async () => {
    env = await startInstalled();
  });
  afterEach(async () => env.local.stop());

  it('adds Instruqt Plays to the default Lead and Contact layouts, keeping every section, and twice adds nothing', async () => {
    const first = await addRelatedLists(env.conn, { maxPollMs: 20 });
    expect(first.deployed).to.equal(true);
    expect(first.changes.map((c) => [c.layout, c.status])).to.deep.equal([
      ['Lead-Lead Layout', 'added'],
      ['Contact-Contact Layout', 'added'],
    ]);
    const files = await retrieveFiles(env.conn, [{ type: 'Layout', members: ['Lead-Lead Layout', 'Contact-Contact Layout'] }], { maxPollMs: 20 });
    const lead = files.get('layouts/Lead-Lead Layout.layout') ?? '';
    const contact = files.get('layouts/Contact-Contact Layout.layout') ?? '';
    expect(withoutRelatedList(lead, 'Instruqt_Play__c.Lead__c')).to.equal(LEAD_LAYOUT);
    expect(withoutRelatedList(contact, 'Instruqt_Play__c.Contact__c')).to.equal(CONTACT_LAYOUT);
    for (const section of ['Lead Information', 'Address Information', 'Additional Information', 'System Information', 'Description Information']) {
      expect(lead).to.include(`<label>${section}</label>`);
    }
    expect(lead).to.include('<relatedList>RelatedActivityList</relatedList>');

    const modified = storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.lastModifiedDate;
    const second = await addRelatedLists(env.conn, { maxPollMs: 20 });
    expect(second.deployed).to.equal(false);
    expect(second.changes.map((c) => c.status)).to.deep.equal(['present', 'present']);
    expect(storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.lastModifiedDate).to.equal(modified);
  });

  it('keeps a section an admin added to the layout', async () => {
    const custom = LEAD_LAYOUT.replace(
      '    <layoutSections>',
      '    <layoutSections>\n        <customLabel>true</customLabel>\n        <detailHeading>true</detailHeading>\n        <editHeading>true</editHeading>\n        <label>Sales Notes</label>\n        <layoutColumns/>\n        <style>OneColumn</style>\n    </layoutSections>\n    <layoutSections>'
    );
    const stored = storeOf(env.local.org).layouts.get('Lead-Lead Layout');
    if (stored) stored.raw = custom;
    await addRelatedLists(env.conn, { maxPollMs: 20 });
    const raw = storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.raw ?? '';
    expect(raw).to.include('<label>Sales Notes</label>');
    expect(withoutRelatedList(raw, 'Instruqt_Play__c.Lead__c')).to.equal(custom);
  });

  it('changes nothing in a dry run and reports a layout the org does not have', async () => {
    const result = await addRelatedLists(env.conn, {
      maxPollMs: 20,
      dryRun: true,
      targets: [
        { layout: 'Lead-Lead Layout', relatedList: 'Instruqt_Play__c.Lead__c' },
        { layout: 'Contact-Partner Layout', relatedList: 'Instruqt_Play__c.Contact__c' },
      ],
    });
    expect(result.changes.map((c) => c.status)).to.deep.equal(['added', 'missing-layout']);
    expect(hasRelatedList(storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.raw ?? '', 'Instruqt_Play__c.Lead__c')).to.equal(false);
  });

  it('takes the related list off again', async () => {
    await addRelatedLists(env.conn, { maxPollMs: 20 });
    const removed = await removeRelatedLists(env.conn, { maxPollMs: 20 });
    expect(removed.changes.map((c) => c.status)).to.deep.equal(['removed', 'removed']);
    expect(storeOf(env.local.org).layouts.get('Contact-Contact Layout')?.raw).to.equal(CONTACT_LAYOUT);
  });
});
