module.exports = {
  root: true,
  extends: ['eslint-config-salesforce-typescript', 'plugin:sf-plugin/recommended'],
  parserOptions: { project: ['./tsconfig.json', './test/tsconfig.json'], tsconfigRootDir: __dirname },
  ignorePatterns: ['lib/', 'node_modules/', '*.cjs', 'bin/'],
  rules: {
    // Source files carry a short "what this module owns" header instead of a licence banner.
    'header/header': 'off',
    'class-methods-use-this': 'off',
    'no-await-in-loop': 'off',
  },
  overrides: [
    {
      files: ['test/**/*.ts', 'emulator/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
      rules: {
        '@typescript-eslint/no-unused-expressions': 'off',
        'no-console': 'off',
        'sf-plugin/no-hardcoded-messages-commands': 'off',
      },
    },
  ],
};
