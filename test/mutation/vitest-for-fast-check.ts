/**
 * `vitest` as @fast-check/vitest sees it in the mutation run (test/mutation/vitest.config.ts resolves that package's
 * `import … from "vitest"` here, and only that one): vitest itself, except that the task collector
 * @fast-check/vitest builds `test`/`it` from does not show the `describe` and `suite` members that vitest 4.1 added.
 *
 * @remarks
 * @fast-check/vitest 0.5.0 walks every chain of its collector at import (`test.skip.only.…`, each key once per
 * path), and with vitest 4.1.12 that walk also enters `describe` and `suite` (chains of their own): ~2.5 s of CPU
 * per test file, which every mutant pays again for each test file it runs (a fresh worker each time). Without the
 * two members the walk is ~0.1 s. `test.prop`, `it.prop` and every `test.<modifier>` chain are unchanged; only the
 * never-used `test.describe.…prop` / `test.suite.…prop` are gone. The normal suite (vitest.config.ts) is untouched.
 */
import { TestRunner as Base } from 'vitest';

export * from 'vitest';

const HIDDEN = new Set<PropertyKey>(['describe', 'suite']);

type Collector = ReturnType<typeof Base.createTaskCollector>;

/** `target` without the {@link HIDDEN} members, on itself and on every chain reached from it. */
function hide<T extends object>(target: T): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (HIDDEN.has(key)) return undefined;
      const value: unknown = Reflect.get(t, key, receiver);
      const own = Reflect.getOwnPropertyDescriptor(t, key);
      const frozen = own !== undefined && own.configurable === false && own.writable === false; // a proxy must return these as they are
      return typeof value === 'function' && typeof key === 'string' && !frozen ? hide(value) : value;
    },
    has: (t, key) => !HIDDEN.has(key) && Reflect.has(t, key),
    ownKeys: (t) => Reflect.ownKeys(t).filter((key) => !HIDDEN.has(key)),
    getOwnPropertyDescriptor: (t, key) => (HIDDEN.has(key) ? undefined : Reflect.getOwnPropertyDescriptor(t, key)),
  });
}

/** vitest's `TestRunner`, whose `createTaskCollector` returns the collector through {@link hide}. */
export const TestRunner: typeof Base = new Proxy(Base, {
  get(t, key, receiver) {
    if (key === 'createTaskCollector') return (fn: Parameters<typeof Base.createTaskCollector>[0]): Collector => hide(t.createTaskCollector(fn));
    return Reflect.get(t, key, receiver);
  },
});
