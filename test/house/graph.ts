/**
 * The import graph of a source tree, for the house tests: each relative `import … from` / `export … from` is an
 * edge (type-only imports included); bare specifiers (packages, node: builtins) are listed per file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type Graph = Map<string, string[]>;

export function sourceGraph(root: string): Graph {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(relative('.', p));
    }
  };
  walk(root);
  const known = new Set(files);
  const graph: Graph = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) => relative('.', resolve(dirname(f), m[1].replace(/\.js$/, '.ts'))));
    graph.set(f, [...new Set(deps.filter((d) => known.has(d)))]);
  }
  return graph;
}

/** The package specifiers (e.g. '@tensorflow/tfjs', 'node:fs') each file under `root` imports. */
export function packageImports(root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of sourceGraph(root).keys()) {
    const text = readFileSync(f, 'utf8');
    out.set(f, [...new Set([...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^.'][^']*)'/g)].map((m) => m[1]))]);
  }
  return out;
}

/** Every module reachable from `start` (itself included). */
export function reachable(graph: Graph, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const w of graph.get(todo.pop()!) ?? []) {
      if (seen.has(w)) continue;
      seen.add(w);
      todo.push(w);
    }
  }
  return seen;
}
