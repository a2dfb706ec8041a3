// Text from issues and comments is data. Hidden HTML comments and invisible characters are where
// instructions get smuggled past a human reader, so they are removed before any agent sees the text.

// Zero-width and joiner characters, bidirectional controls, invisible operators, the BOM, soft hyphen,
// Mongolian vowel separator, and Unicode "tag" characters (U+E0000–U+E007F, used to hide ASCII).
const INVISIBLE =
  /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u{e0000}-\u{e007f}]/gu;
// C0 and C1 control characters other than tab and newline.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// An unterminated comment hides everything after it from the rendered page, so it goes too.
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

export function sanitizeUntrustedText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(HTML_COMMENT, "")
    .replace(INVISIBLE, "")
    .replace(CONTROL, "")
    .normalize("NFC");
}
