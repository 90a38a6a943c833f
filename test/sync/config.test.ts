import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, DEFAULT_CONFIG, loadConfig, parseConfig } from '../../src/sync/config.js';

describe('sync config', () => {
  it('defaults to every workflow on, email + names matching, Contacts first, Chatter, bulk above 2,000', async () => {
    const cfg = await loadConfig();
    expect(cfg).to.deep.equal(DEFAULT_CONFIG);
    expect(cfg.workflows).to.deep.equal({ createLeads: true, plays: true, chatter: true });
    expect(cfg.matching).to.deep.equal({ rule: 'email+names', contactFirst: true });
    expect(cfg.bulkThreshold).to.equal(2000);
  });

  it('reads a file and keeps defaults for what it does not say', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ workflows: { chatter: false }, activity: 'task', newLeadStatus: 'Working' }));
    const cfg = await loadConfig(file);
    expect(cfg.workflows).to.deep.equal({ createLeads: true, plays: true, chatter: false });
    expect(cfg.activity).to.equal('task');
    expect(cfg.newLeadStatus).to.equal('Working');
  });

  it('refuses unknown keys, wrong types and out-of-range sizes', () => {
    expect(() => parseConfig({ workflow: {} })).to.throw(ConfigError, /unknown configuration key/);
    expect(() => parseConfig({ workflows: { createLead: true } })).to.throw(ConfigError, /unknown workflow/);
    expect(() => parseConfig({ matching: { rule: 'names' } })).to.throw(ConfigError, /matching.rule must be one of/);
    expect(() => parseConfig({ collectionsSize: 201 })).to.throw(ConfigError, /from 1 to 200/);
    expect(() => parseConfig({ workflows: { plays: 'yes' } })).to.throw(ConfigError, /true or false/);
  });

  it('names every unknown key and quotes the bounds of schemas/instruqt-sync-config.json', () => {
    expect(() => parseConfig({ batchsize: 10, workflow: {} })).to.throw(ConfigError, 'unknown configuration key(s): batchsize, workflow');
    expect(() => parseConfig({ matching: { rules: 'email' } })).to.throw(ConfigError, 'unknown matching key(s): rules');
    expect(() => parseConfig({ bulkPollMs: 60_001 })).to.throw(ConfigError, 'bulkPollMs must be an integer from 10 to 60000');
    expect(() => parseConfig({ leadSource: '  ' })).to.throw(ConfigError, 'leadSource must be a non-empty string of at most 255');
    expect(() => parseConfig({ activity: 'email' })).to.throw(ConfigError, 'activity must be one of "chatter", "task"');
  });

  it('trims names, and takes null as "not set" or the default as the schema says', () => {
    const cfg = parseConfig({ newLeadStatus: ' Working ', leadSource: null, companyPlaceholder: null, workflows: null });
    expect(cfg.newLeadStatus).to.equal('Working');
    expect(cfg.leadSource).to.equal(undefined);
    expect(cfg.companyPlaceholder).to.equal(DEFAULT_CONFIG.companyPlaceholder);
    expect(cfg.workflows).to.deep.equal(DEFAULT_CONFIG.workflows);
  });

  it('says which file is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{');
    let error: unknown;
    await loadConfig(file).catch((e: unknown) => {
      error = e;
    });
    expect(String(error)).to.contain('bad.json is not valid JSON');
  });
});
