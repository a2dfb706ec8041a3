const MAX_SLUG = 40;

/**
 * A lowercase ASCII slug for branch names and ids: accents are dropped ("Café" → "cafe"), anything else that
 * is not a letter or digit becomes a dash, and long titles are cut at a word boundary. Titles with nothing
 * left (only punctuation, or a script without Latin letters) fall back to `fallback`.
 */
export function slugify(text: string, fallback = "spec", max = MAX_SLUG): string {
  const ascii = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (ascii === "") return fallback;
  if (ascii.length <= max) return ascii;
  const cut = ascii.slice(0, max + 1);
  const lastDash = cut.lastIndexOf("-");
  const short = lastDash >= max / 2 ? cut.slice(0, lastDash) : ascii.slice(0, max);
  return short.replace(/-+$/g, "");
}
