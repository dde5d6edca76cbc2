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
    // core/ and platforms/ run in plain Node and are tested there: they never import vscode.
    files: ['src/core/**/*.ts', 'src/platforms/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
