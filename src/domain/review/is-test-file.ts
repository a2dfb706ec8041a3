const CODE = /\.(?:[cm]?[jt]sx?|py|go|rs)$/;
const NAMED = [
  /\.(?:test|spec)\.[cm]?[jt]sx?$/, // a.test.ts, a.spec.js
  /(?:^|\/)test_[^/]*\.py$/, // test_a.py
  /_test\.(?:py|go)$/, // a_test.py, a_test.go
];
const FOLDERS = /(?:^|\/)(?:__tests__|tests?|spec|e2e)\//;

/**
 * Whether a path is a test file by the conventions of the languages swarm reads: `*.test.*`/`*.spec.*`,
 * `test_*.py`/`*_test.py`, `*_test.go`, and code under `test/`, `tests/`, `__tests__/`, `spec/` or `e2e/`.
 * Rust's unit tests live in source files: the weakened-tests check also reads any `.rs` file with `#[test]`.
 */
export function isTestFile(path: string): boolean {
  if (NAMED.some((p) => p.test(path))) return true;
  return CODE.test(path) && FOLDERS.test(path);
}
