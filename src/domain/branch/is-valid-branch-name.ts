// The rules of `git check-ref-format --branch`, so names can be checked without spawning git.
// test/domain/branch checks this function against real git on random input.

// ASCII control characters, DEL, and the characters git forbids anywhere in a ref.
// biome-ignore lint/suspicious/noControlCharactersInRegex: git forbids control characters, so we match them.
const FORBIDDEN_CHAR = /[\u0000-\u0020\u007f~^:?*[\\]/;

export function isValidBranchName(name: string): boolean {
  if (name === "" || name === "@" || name.startsWith("-")) return false;
  if (FORBIDDEN_CHAR.test(name) || name.includes("..") || name.includes("@{")) return false;
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//") || name.endsWith(".")) return false;
  return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}
