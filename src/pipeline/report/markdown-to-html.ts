import MarkdownIt from "markdown-it";
import { escapeHtml } from "./escape-html.js";

// The text is untrusted (the spec, the model, check output), so HTML in it is shown as text. markdown-it
// parses it (`html: true`) only so that it arrives here as separate tokens, and then is escaped, except the
// bare `<sub>`, `<sup>` and `<br>` swarm's own comments use: no attributes, so nothing can run or load, and
// not formatting elements, so one left open ends with its paragraph. markdown-it's link check refuses
// javascript:, vbscript:, file: and data: URLs. Images are off: opening the report loads nothing the text chose.
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false }).disable("image");
const HARMLESS = /^<\/?(sub|sup)>$|^<br\s*\/?>$/i;
markdown.renderer.rules.html_inline = (tokens, i) => {
  const raw = tokens[i]?.content ?? "";
  return HARMLESS.test(raw) ? raw.toLowerCase() : escapeHtml(raw);
};
markdown.renderer.rules.html_block = (tokens, i) =>
  `<p class="html">${escapeHtml((tokens[i]?.content ?? "").trimEnd())}</p>\n`;

/** Markdown as HTML: blocks (paragraphs, lists, code) by default, or one line's inline markup with `inline`. */
export function markdownToHtml(text: string, options: { inline?: boolean } = {}): string {
  return options.inline ? markdown.renderInline(text) : markdown.render(text).trimEnd();
}
