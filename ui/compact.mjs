// Compacts the card's hand-written CSS and HTML page for the bundle: what the browser ignores is dropped,
// nothing it reads is rewritten (no CSS minifier is among the pinned build tools, and this needs none).
//
// CSS: comments go, whitespace runs become one space, the spaces next to `{ } ; , >` and after `:` go, and so
// does the `;` that ends a block. Quoted strings are kept as written. Spaces that CSS reads are kept: before
// `:` (`.a :hover` is not `.a:hover`), around `+ - * /` (calc() needs them), between values.
// HTML (the page around them, before the style and script go in): whitespace between two tags goes. That is
// layout only while no two inline elements stand side by side in card.html, where such a space would show.

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;
const alongside = (pattern) => new RegExp(`(${QUOTED})|${pattern}`, "g");
const keepQuoted = (replace) => (match, quoted, ...groups) => quoted ?? replace(...groups);

export function compactCss(css) {
  return css
    .replace(alongside(String.raw`(?:\s|/\*[\s\S]*?\*/)+`), keepQuoted(() => " "))
    .replace(alongside(String.raw` ?([{};,>]) ?|(:) `), keepQuoted((punctuation, colon) => punctuation ?? colon))
    .replace(alongside(";(})"), keepQuoted((brace) => brace))
    .trim();
}

export const compactHtml = (html) => html.replace(/>\s+</g, "><");
