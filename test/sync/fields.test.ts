import { expect } from 'chai';
import {
  fitFeedback,
  fitParticipantId,
  fitUserId,
  fitScore,
  formatTimeSpent,
  nameKey,
  playName,
} from '../../src/sync/fields.js';
import { postBody, recognisePost } from '../../src/sync/posts.js';

describe('sync field values', () => {
  it('formats time spent human readable within Text(15)', () => {
    expect(formatTimeSpent(1834)).to.equal('30m 34s');
    expect(formatTimeSpent(59)).to.equal('59s');
    expect(formatTimeSpent(0)).to.equal('0s');
    expect(formatTimeSpent(3605)).to.equal('1h 0m 5s');
    expect(formatTimeSpent(9_999_999_999).length).to.be.at.most(15);
  });

  it('names a play "<track title> - <person>" within 80 characters, keeping the person readable', () => {
    expect(playName('Kubernetes 101', 'Ada Lovelace')).to.equal('Kubernetes 101 - Ada Lovelace');
    const long = playName('T'.repeat(100), 'Ada Lovelace');
    expect(long.length).to.equal(80);
    expect(long.endsWith('… - Ada Lovelace')).to.equal(true);
    expect(playName('Short', 'P'.repeat(100)).length).to.be.at.most(80);
  });

  it('truncates feedback over 255 characters with a warning; skips a 16-character participant id and a score of 12', () => {
    const fb = fitFeedback('x'.repeat(300));
    expect(fb.value?.length).to.equal(255);
    expect(fb.issue).to.include({ field: 'Feedback__c', action: 'truncated' });
    expect(fitParticipantId('p'.repeat(15)).value).to.equal('p'.repeat(15));
    expect(fitParticipantId('p'.repeat(16)).value).to.equal(undefined);
    // Never cut: the whole id goes to User_ID__c, so leaving Participant_ID__c empty loses nothing.
    expect(fitParticipantId('p'.repeat(16)).issue).to.equal(undefined);
    expect(fitUserId('u'.repeat(28)).value).to.equal('u'.repeat(28));
    expect(fitUserId('u'.repeat(256)).issue).to.include({ field: 'User_ID__c', action: 'skipped' });
    expect(fitScore(12).issue).to.include({ field: 'Score__c', action: 'skipped' });
    expect(fitScore(-1).value).to.equal(undefined);
    expect(fitScore(4.5).value).to.equal(undefined);
    expect(fitScore(0).value).to.equal(0);
  });

  it('compares names case- and whitespace-insensitively', () => {
    expect(nameKey('  Mary  Ann ')).to.equal(nameKey('mary ann'));
    expect(nameKey('Ada')).to.not.equal(nameKey('Adam'));
  });

  it('recognises its own posts again, and nothing else', () => {
    const body = postBody({ milestone: 'feedback', playId: 'play-77', trackTitle: 'K', comment: 'Nice\nInstruqt play: fake' });
    expect(recognisePost(body)).to.deep.equal({ milestone: 'feedback', playId: 'play-77' });
    const done = postBody({ milestone: 'completed', playId: 'play-7', trackTitle: 'K', timeSpentSeconds: 1834 });
    expect(done).to.contain('30m 34s');
    expect(recognisePost(done)).to.deep.equal({ milestone: 'completed', playId: 'play-7' });
    expect(recognisePost('Started the Instruqt track "K". no play line')).to.equal(undefined);
    expect(recognisePost('Hello team')).to.equal(undefined);
  });
});
