const SLOT = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

/**
 * Fills `{{slot}}` placeholders. Strict both ways: a slot without a value, or a value for a slot the
 * template does not have, is an error, so a renamed slot cannot silently drop part of a prompt.
 */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  name = "template",
): string {
  const slots = new Set([...template.matchAll(SLOT)].map((m) => m[1] as string));
  const missing = [...slots].filter((slot) => !(slot in values));
  const unknown = Object.keys(values).filter((key) => !slots.has(key));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `no value for ${missing.map((s) => `{{${s}}}`).join(", ")}` : "",
      unknown.length > 0 ? `values for slots it does not have: ${unknown.join(", ")}` : "",
    ].filter(Boolean);
    throw new Error(`${name}: ${parts.join("; ")}`);
  }
  // One pass, so text inside a value that looks like a slot is left as it is.
  return template.replace(SLOT, (_, slot: string) => values[slot] ?? "");
}
