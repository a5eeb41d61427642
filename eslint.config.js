// ESLint 9 reads only flat configs; this bridge loads the project's .eslintrc.json through
// FlatCompat so that the required .eslintrc.json stays the single place where rules live.
import { FlatCompat } from '@eslint/eslintrc';
import js from '@eslint/js';
import { readFileSync } from 'node:fs';

const compat = new FlatCompat({
  baseDirectory: import.meta.dirname,
  recommendedConfig: js.configs.recommended,
  allConfig: js.configs.all,
});
const legacy = JSON.parse(readFileSync(new URL('./.eslintrc.json', import.meta.url), 'utf8'));
const { ignorePatterns = [], ...rest } = legacy;

export default [{ ignores: ignorePatterns }, ...compat.config(rest)];
