/**
 * A strict little XML reader for the SVG files the project writes: it throws on anything not
 * well-formed (unbalanced or crossed tags, unquoted or repeated attributes, a raw `<` or a bare `&`,
 * text outside the root) and returns the element tree, so a test can count what was drawn.
 * No DTDs, CDATA or processing instructions other than the XML declaration: the project writes none.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Character data directly inside the element, entities decoded. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

export function parseXml(source: string): XmlElement {
  let at = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (why: string): never => {
    const line = source.slice(0, at).split('\n').length;
    throw new SyntaxError(`XML not well-formed at line ${line}: ${why}`);
  };

  if (source.startsWith('<?xml')) at = source.indexOf('?>') + 2;
  while (at < source.length) {
    if (source.startsWith('<!--', at)) {
      const end = source.indexOf('-->', at + 4);
      if (end < 0) fail('unclosed comment');
      at = end + 3;
    } else if (source.startsWith('</', at)) {
      const name = NAME.exec(source.slice(at + 2))?.[0] ?? fail('bad closing tag');
      const open = stack.pop() ?? fail(`</${name}> closes nothing`);
      if (open.name !== name) fail(`</${name}> closes <${open.name}>`);
      at += 2 + name.length;
      at = skipSpace(source, at);
      if (source[at] !== '>') fail(`</${name}> is not closed`);
      at += 1;
    } else if (source[at] === '<') {
      if (root !== null && stack.length === 0) fail('a second root element');
      const name = NAME.exec(source.slice(at + 1))?.[0] ?? fail('bad tag name');
      at += 1 + name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const before = at;
        at = skipSpace(source, at);
        if (source.startsWith('/>', at) || source[at] === '>') break;
        if (at === before) fail(`<${name}>: attributes must be separated by space`);
        const attribute = NAME.exec(source.slice(at))?.[0] ?? fail(`<${name}>: bad attribute`);
        at += attribute.length;
        if (source[at] !== '=') fail(`<${name} ${attribute}>: expected =`);
        const quote = source[at + 1];
        if (quote !== '"' && quote !== "'") fail(`<${name} ${attribute}>: value not quoted`);
        const end = source.indexOf(quote as string, at + 2);
        if (end < 0) fail(`<${name} ${attribute}>: value not closed`);
        if (attribute in attributes) fail(`<${name}>: ${attribute} given twice`);
        attributes[attribute] = decode(source.slice(at + 2, end), fail);
        at = end + 1;
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      stack[stack.length - 1]?.children.push(element);
      root ??= element;
      if (source.startsWith('/>', at)) {
        at += 2;
      } else {
        at += 1;
        stack.push(element);
      }
    } else {
      const end = source.indexOf('<', at);
      const text = source.slice(at, end < 0 ? source.length : end);
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (text.trim() !== '') fail('text outside the root element');
      } else {
        parent.text += decode(text, fail);
      }
      at += text.length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]?.name}> is never closed`);
  return root ?? fail('no root element');
}

/** Every element under `element` (itself included) named `name`, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  const found = element.name === name ? [element] : [];
  return found.concat(...element.children.map((child) => findAll(child, name)));
}

function skipSpace(source: string, at: number): number {
  while (/\s/.test(source[at] ?? '')) at += 1;
  return at;
}

function decode(text: string, fail: (why: string) => never): string {
  if (text.includes('<')) fail('a raw < in text or an attribute');
  return text.replace(/&[^;]*;?/g, (entity) => {
    if (!ENTITY.test(entity)) fail(`bad entity ${entity}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const body = entity.slice(1, -1);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    return named[body] ?? fail(`bad entity ${entity}`);
  });
}
