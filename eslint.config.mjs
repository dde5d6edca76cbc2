import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Platform text reaches notifications, progress titles and the status bar only through
    // src/vscode/base/notify.ts, which makes link and icon syntax inert.
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/base/notify.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name=/^(showErrorMessage|showWarningMessage|showInformationMessage|withProgress|setStatusBarMessage)$/]",
          message: 'Show notifications, progress and status messages through src/vscode/base/notify.ts, which makes platform text inert.',
        },
      ],
    },
  },
  {
    // core/, platforms/ and the code shared with the webview run in plain Node (and the webview)
    // and are tested there: they never import vscode.
    files: ['src/core/**/*.ts', 'src/platforms/**/*.ts', 'src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
  {
    // A feature folder of src/vscode/ reaches another only through its index.ts, and never the UI.
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./(?!base/)[^./][^/]*/', message: "Import another feature through its index ('../<feature>'), not its internals." },
            { regex: '(^|/)webview/', message: 'The host never imports the webview.' },
          ],
        },
      ],
    },
  },
  {
    // The webview runs in the browser: it imports only the protocol and helpers in src/shared/.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview cannot import vscode.' }],
          patterns: [
            { regex: '^\\.\\./src/(?!shared/)', message: 'The webview imports only src/shared/ (the panel protocol and its helpers).' },
            // The Evaluation view's code, one folder down (webview/evaluation/).
            { regex: '^(\\.\\./){2,}src/(?!shared/)', message: 'The webview imports only src/shared/ (the protocols and their helpers).' },
          ],
        },
      ],
    },
  },
);
