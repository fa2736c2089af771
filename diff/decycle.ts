/**
 * The catalog's schemas have every `$ref` followed, so a recursive schema is a
 * cycle of JavaScript objects. The compatibility engine reads JSON Schema, so
 * each object a cycle returns to is written once under `$defs/__cycle<N>`
 * (the root as `#`) and referenced from every place it occurs, which is what
 * the contract said before the parser resolved it. The parser's own annotations
 * (`x-parser-schema-id`, …) are left out: they are no part of the contract.
 */
type Node = Record<string, unknown>;

export function decycle(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  const targets = cycleTargets(schema);
  const names = new Map<object, string>();
  let n = 0;
  for (const target of targets) names.set(target, target === schema ? '#' : `#/$defs/__cycle${++n}`);
  const write = (node: unknown, definition: object | undefined): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const name = names.get(node);
    if (name !== undefined && node !== definition) return { $ref: name };
    if (Array.isArray(node)) return node.map((v) => write(v, undefined));
    return Object.fromEntries(
      Object.entries(node as Node)
        .filter(([k]) => !k.startsWith('x-parser-'))
        .map(([k, v]) => [k, write(v, undefined)]),
    );
  };
  const root = write(schema, schema);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return root;
  const defs: Node = {};
  for (const [target, name] of names) {
    if (name !== '#') defs[name.slice('#/$defs/'.length)] = write(target, target);
  }
  const rootNode = root as Node;
  if (Object.keys(defs).length === 0) return rootNode;
  const existing =
    rootNode.$defs !== null && typeof rootNode.$defs === 'object' ? (rootNode.$defs as Node) : {};
  return { ...rootNode, $defs: { ...existing, ...defs } };
}

/** Objects reached again while still being walked: the places cycles return to. */
function cycleTargets(root: object): Set<object> {
  const targets = new Set<object>();
  const onPath = new Set<object>();
  const done = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (onPath.has(node)) {
      targets.add(node);
      return;
    }
    if (done.has(node)) return;
    onPath.add(node);
    for (const value of Array.isArray(node) ? node : Object.values(node)) visit(value);
    onPath.delete(node);
    done.add(node);
  };
  visit(root);
  return targets;
}
