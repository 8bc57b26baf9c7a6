/**
 * The API reference is generated from doc comments (npm run docs), so every exported function
 * and class of the three entries needs one, with an @example: this test walks the entries'
 * exports with the TypeScript compiler, namespaces included, and lists those that lack either.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ts from 'typescript';
import { repoPath } from './util.js';

const ENTRIES = ['src/index.ts', 'src/browser.ts', 'src/io/onnx/entry.ts'];

/** `name (file): what is missing` for every exported function or class without doc or example. */
export function undocumentedExports(): { checked: number; missing: string[] } {
  const files = ENTRIES.map((f) => repoPath(f));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const seen = new Set<ts.Symbol>();
  const missing: string[] = [];
  let checked = 0;
  const visit = (mod: ts.Symbol, prefix: string): void => {
    for (const exported of checker.getExportsOfModule(mod)) {
      const s = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (seen.has(s)) continue;
      seen.add(s);
      if (s.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
        visit(s, `${prefix}${exported.name}.`);
        continue;
      }
      if (!(s.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
      checked++;
      const file = s.declarations?.[0]?.getSourceFile().fileName.replace(repoPath() + '/', '') ?? '?';
      const doc = ts.displayPartsToString(s.getDocumentationComment(checker)).trim();
      const example = s.getJsDocTags(checker).some((t) => t.name === 'example');
      if (!doc) missing.push(`${prefix}${exported.name} (${file}): no doc comment`);
      else if (!example) missing.push(`${prefix}${exported.name} (${file}): no @example`);
    }
  };
  for (const f of files) {
    const sf = program.getSourceFile(f);
    assert.ok(sf, `api-docs: ${f} not found`);
    const mod = checker.getSymbolAtLocation(sf);
    assert.ok(mod, `api-docs: ${f} is not a module`);
    visit(mod, '');
  }
  return { checked, missing };
}

test('every exported function and class has a doc comment with an @example', () => {
  const { checked, missing } = undocumentedExports();
  assert.ok(checked > 300, `only ${checked} exports found: the walk lost the namespaces`);
  assert.deepEqual(missing, [], `${missing.length} of ${checked} exports lack documentation:\n${missing.join('\n')}`);
});
