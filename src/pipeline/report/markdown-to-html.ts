import MarkdownIt from "markdown-it";

// The text is untrusted (the spec, the model, check output): raw HTML in it is shown as text, never rendered
// (`html: false`); markdown-it's link check refuses javascript:, vbscript:, file: and data: URLs. Images are
// off, so opening the report loads nothing from the network that the text chose.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable("image");

/** Markdown as HTML: blocks (paragraphs, lists, code) by default, or one line's inline markup with `inline`. */
export function markdownToHtml(text: string, options: { inline?: boolean } = {}): string {
  return options.inline ? markdown.renderInline(text) : markdown.render(text).trimEnd();
}
