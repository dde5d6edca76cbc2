import * as assert from 'node:assert/strict';
import { credentialProblem, credentialsProblem } from '../../src/core/credentials';

describe('credential shapes', () => {
  it('accepts a plain key', () => {
    assert.equal(credentialProblem('apiKey', 'sk_test_emulator'), undefined);
  });

  it('refuses empty values and whitespace, without echoing the value', () => {
    assert.match(credentialProblem('apiKey', '') ?? '', /empty/);
    for (const bad of ['sk abc', 'sk_abc\n', '\tsk_abc']) {
      const problem = credentialProblem('apiKey', bad) ?? '';
      assert.match(problem, /whitespace/);
      assert.ok(!problem.includes('sk'), 'the message must not contain the key');
    }
  });

  it('checks each field a platform needs', () => {
    const apiKey = ['apiKey'] as const;
    const client = ['clientId', 'clientSecret'] as const;
    assert.equal(credentialsProblem(apiKey, { apiKey: 'sk_1' }), undefined);
    assert.equal(credentialsProblem(client, { clientId: 'id', clientSecret: 'secret' }), undefined);
    assert.match(credentialsProblem(client, { apiKey: 'sk_1' }) ?? '', /client ID is missing/);
    assert.match(credentialsProblem(client, { clientId: 'id', clientSecret: ' ' }) ?? '', /client secret contains whitespace/);
    assert.match(credentialsProblem(apiKey, {}) ?? '', /API key is missing/);
    assert.match(credentialsProblem(apiKey, null) ?? '', /must be an object/);
  });
});
