/**
 * What JSON can carry but PostgreSQL cannot store: a NUL character (`\u0000`, refused by both
 * `text` and `jsonb`), an unpaired UTF-16 surrogate (`\ud800`: refused by `jsonb`, and silently
 * turned into U+FFFD in `text`, so two different ids would collide), and a number beyond double
 * range (`1e400` parses as Infinity and would be stored as null). Input holding any of them is
 * refused with the place it was found, instead of failing in the database with a 500.
 */
export interface Unstorable {
  /** Dotted path of the value or key (`data.items.0.name`); empty for the input itself. */
  path: string;
  message: string;
}

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | null {
  if (s.includes("\u0000")) return "cannot hold the NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "holds an unpaired UTF-16 surrogate (such as \\ud800), which is not valid Unicode";
  return null;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A path kept as a linked list, so deep input costs nothing until a path is reported. */
type PathNode = { key: string; parent: PathNode } | null;

function pathOf(node: PathNode): string {
  const keys: string[] = [];
  for (let n = node; n; n = n.parent) keys.push(n.key);
  return keys.reverse().join(".");
}

/**
 * The first unstorable string, key or number in `value` (plain objects, arrays and primitives;
 * other objects such as Dates are left alone). Iterative, so any nesting depth is safe.
 */
export function findUnstorable(value: unknown): Unstorable | null {
  const stack: [unknown, PathNode][] = [[value, null]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === "string") {
      const problem = stringProblem(current);
      if (problem) return { path: pathOf(path), message: `The value ${problem}` };
    } else if (typeof current === "number") {
      if (!Number.isFinite(current))
        return { path: pathOf(path), message: "The number is too large to store (beyond ±1.7e308)" };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], { key: String(i), parent: path }]);
    } else if (current !== null && typeof current === "object" && isPlainObject(current)) {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const problem = stringProblem(key);
        if (problem) return { path: pathOf(path), message: `A key ${problem}` };
        stack.push([(current as Record<string, unknown>)[key], { key, parent: path }]);
      }
    }
  }
  return null;
}
