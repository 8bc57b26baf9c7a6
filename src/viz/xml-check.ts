/**
 * A small XML well-formedness check for tests (no parser is a dependency):
 * tags balance and nest, attributes are quoted and unique, entities are known
 * or numeric, and there is exactly one root element. Returns the root's name;
 * throws with the offset of the first problem.
 */
export function checkXml(xml: string): string {
  const stack: string[] = [];
  let root: string | null = null;
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`checkXml: ${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const checkText = (text: string): void => {
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) fail(`bad entity ${m[0]}`);
    }
    if (text.includes('<')) fail('stray <');
  };
  const NAME = /^[A-Za-z_:][\w:.-]*/;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(text);
    if (stack.length === 0 && text.trim() !== '') fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) fail('bad CDATA');
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0) fail('unclosed processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!DOCTYPE', i)) {
      if (root !== null) fail('DOCTYPE after the root element');
      const end = xml.indexOf('>', i);
      if (end < 0) fail('unclosed DOCTYPE');
      i = end + 1;
    } else if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) fail('bad end tag');
      const name = (m as RegExpExecArray)[0];
      if (stack.pop() !== name) fail(`end tag </${name}> does not match the open element`);
      i += 2 + name.length;
      while (/\s/.test(xml[i] ?? '')) i++;
      if (xml[i] !== '>') fail('bad end tag');
      i++;
    } else {
      const m = NAME.exec(xml.slice(i + 1));
      if (!m) fail('bad start tag');
      const name = (m as RegExpExecArray)[0];
      if (stack.length === 0) {
        if (root !== null) fail('a second root element');
        root = name;
      }
      i += 1 + name.length;
      const attrs = new Set<string>();
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0].length;
        i += ws;
        if (xml.startsWith('/>', i)) {
          i += 2;
          break;
        }
        if (xml[i] === '>') {
          stack.push(name);
          i++;
          break;
        }
        if (ws === 0) fail('attributes must be separated by white space');
        const a = /^([A-Za-z_:][\w:.-]*)\s*=\s*("[^"<]*"|'[^'<]*')/.exec(xml.slice(i));
        if (!a) fail('bad attribute');
        const [all, an, av] = a as RegExpExecArray;
        if (attrs.has(an)) fail(`duplicate attribute ${an}`);
        attrs.add(an);
        checkText(av.slice(1, -1));
        i += all.length;
      }
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (root === null) fail('no root element');
  return root as string;
}
