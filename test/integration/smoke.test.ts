import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('extension host smoke test', () => {
  it('runs inside VS Code 1.x', () => {
    assert.match(vscode.version, /^1\./);
  });
});
