/**
 * No import cycle among the library's modules, type-only imports included (a cycle of types is still two modules
 * that cannot be understood, or moved, one without the other). Each relative `import … from` / `export … from`
 * under src/ is an edge; Tarjan's algorithm finds the strongly connected components, and every one must be a
 * single module.
 */
import { describe, expect, test } from 'vitest';
import { sourceGraph, type Graph } from './graph.js';

/** The strongly connected components with more than one module (or a module importing itself). */
function cycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('import graph', () => {
  test('the checker finds a cycle, type-only edges included, and not a chain', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  test('src/ has no import cycle', () => {
    const graph = sourceGraph('src');
    expect(graph.size).toBeGreaterThan(50);
    // The models ↔ cells cycle of round one would read: [src/nas/cell.ts, src/nn/models.ts].
    expect(cycles(graph)).toEqual([]);
  });
});
