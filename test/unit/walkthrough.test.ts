// When the Get Started walkthrough opens by itself: the first activation after install only.
import assert from 'node:assert/strict';
import { WALKTHROUGH_ID, WALKTHROUGH_SHOWN_KEY, shouldOpenWalkthrough, walkthroughRef, type FirstRunFacts, type FlagStore } from '../../src/vscode/welcome/firstRun';

class FakeMemento implements FlagStore {
  readonly values = new Map<string, unknown>();
  updates = 0;
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.updates++;
    this.values.set(key, value);
    return Promise.resolve();
  }
}

function facts(over: Partial<FirstRunFacts> = {}): FirstRunFacts & { keyChecks: number } {
  const result = { testMode: false, openOnInstall: true, keyChecks: 0, hasAnyKey: async () => false, ...over };
  const hasAnyKey = result.hasAnyKey;
  result.hasAnyKey = async () => {
    result.keyChecks++;
    return hasAnyKey();
  };
  return result;
}

describe('Get Started walkthrough: first run', () => {
  it('opens on the first activation, and never again', async () => {
    const state = new FakeMemento();
    assert.equal(await shouldOpenWalkthrough(state, facts()), true);
    assert.equal(state.get(WALKTHROUGH_SHOWN_KEY), true);
    const later = facts();
    assert.equal(await shouldOpenWalkthrough(state, later), false);
    assert.equal(await shouldOpenWalkthrough(state, later), false);
    assert.equal(later.keyChecks, 0, 'once shown, the keys are not even read');
    assert.equal(state.updates, 1);
  });

  it('does not open for a user who already has a key (an update), and does not ask later', async () => {
    const state = new FakeMemento();
    assert.equal(await shouldOpenWalkthrough(state, facts({ hasAnyKey: async () => true })), false);
    assert.equal(state.get(WALKTHROUGH_SHOWN_KEY), true);
    assert.equal(await shouldOpenWalkthrough(state, facts()), false, 'clearing the key later does not bring it back');
  });

  it('respects workbench.welcomePage.walkthroughs.openOnInstall = false', async () => {
    const state = new FakeMemento();
    const turnedOff = facts({ openOnInstall: false });
    assert.equal(await shouldOpenWalkthrough(state, turnedOff), false);
    assert.equal(turnedOff.keyChecks, 0);
    assert.equal(state.get(WALKTHROUGH_SHOWN_KEY), true);
  });

  it('never opens in the tests’ extension host, and leaves the flag alone there', async () => {
    const state = new FakeMemento();
    assert.equal(await shouldOpenWalkthrough(state, facts({ testMode: true })), false);
    assert.equal(state.updates, 0);
    assert.equal(state.get(WALKTHROUGH_SHOWN_KEY), undefined);
  });

  it('names the walkthrough as openWalkthrough takes it', () => {
    assert.equal(walkthroughRef('aifn.ai-functions'), `aifn.ai-functions#${WALKTHROUGH_ID}`);
    assert.equal(WALKTHROUGH_ID, 'aiFunctions.getStarted');
  });
});
