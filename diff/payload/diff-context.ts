/**
 * The state of one schema comparison, after Confluent's `diff/Context.java`: the path
 * being compared, the differences found there, and — shared by every sub-context of a
 * run — a memo of the (original, update) pairs already compared, the pairs still being
 * compared (a pair met again while in progress is a `$ref` cycle, taken as compatible),
 * and the pairs an earlier pass found incompatible, so that a cycle through one of them
 * reports its real differences instead (SchemaDiff iterates passes to a fixed point).
 */
import type { Difference, DifferenceType } from './differences.ts';
import { InvalidSchemaError, type SchemaNode } from './schema-model.ts';

/** Compares two resolved nodes, adding what it finds to `ctx`. */
export type PairComparator = (ctx: DiffContext, original: SchemaNode, update: SchemaNode) => void;

/** Differences of a pair, with paths relative to the pair (`#/` is the pair itself). */
export type PairDifferences = readonly Difference[];

/** A map keyed by a pair of nodes, by identity. */
export class PairMap<V> {
  private readonly byOriginal = new Map<SchemaNode, Map<SchemaNode, V>>();

  get(original: SchemaNode, update: SchemaNode): V | undefined {
    return this.byOriginal.get(original)?.get(update);
  }

  set(original: SchemaNode, update: SchemaNode, value: V): void {
    let inner = this.byOriginal.get(original);
    if (!inner) {
      inner = new Map();
      this.byOriginal.set(original, inner);
    }
    inner.set(update, value);
  }

  delete(original: SchemaNode, update: SchemaNode): void {
    this.byOriginal.get(original)?.delete(update);
  }

  /** Every [original, update, value]. */
  *entries(): IterableIterator<[SchemaNode, SchemaNode, V]> {
    for (const [original, inner] of this.byOriginal)
      for (const [update, value] of inner) yield [original, update, value];
  }

  get size(): number {
    let size = 0;
    for (const inner of this.byOriginal.values()) size += inner.size;
    return size;
  }
}

/** What every context of one pass shares. */
interface Shared {
  readonly compatible: ReadonlySet<DifferenceType>;
  /** Compare string `format`s too (readers that validate it). */
  readonly formats: boolean;
  readonly comparePair: PairComparator;
  readonly memo: PairMap<PairDifferences>;
  readonly inProgress: PairMap<true>;
  readonly incompatibleSeed: PairMap<PairDifferences>;
  optimismUsed: boolean;
}

/** Follows `$ref`s to the schema they name; a chain that comes back to itself names none. */
export function resolveRefs(node: SchemaNode): SchemaNode {
  const seen = new Set<SchemaNode>();
  let current = node;
  while (current.kind === 'ref') {
    if (seen.has(current)) throw new InvalidSchemaError(`${current.ref}: a $ref cycle with no schema in it`);
    seen.add(current);
    current = current.target();
  }
  return current;
}

/** A place in the comparison: a path and the differences found under it. */
export class DiffContext {
  private readonly diffs: Difference[] = [];
  private readonly path: string[];
  private readonly shared: Shared;

  private constructor(shared: Shared, path: readonly string[]) {
    this.shared = shared;
    this.path = [...path];
  }

  /** The root context of one pass. */
  static start(
    compatible: ReadonlySet<DifferenceType>,
    comparePair: PairComparator,
    incompatibleSeed: PairMap<PairDifferences>,
    formats = false,
  ): DiffContext {
    const shared: Shared = {
      compatible,
      formats,
      comparePair,
      memo: new PairMap(),
      inProgress: new PairMap(),
      incompatibleSeed,
      optimismUsed: false,
    };
    return new DiffContext(shared, []);
  }

  /** A context at the same path with no differences yet, sharing the memo (Confluent's getSubcontext). */
  sub(): DiffContext {
    return new DiffContext(this.shared, this.path);
  }

  /** Runs `body` with `segment` (already pointer-escaped; may hold `/`) appended to the path. */
  within(segment: string, body: () => void): void {
    this.path.push(segment);
    try {
      body();
    } finally {
      this.path.pop();
    }
  }

  /** True when string `format`s are compared (readers that validate them). */
  comparesFormats(): boolean {
    return this.shared.formats;
  }

  /** Records a difference at the current path. */
  add(type: DifferenceType): void {
    this.diffs.push({ type, path: this.pathText() });
  }

  /** Records a difference at the current path plus `segment`. */
  addAt(segment: string, type: DifferenceType): void {
    this.within(segment, () => this.add(type));
  }

  /** Takes over differences found by a sub-context (their paths are already absolute). */
  addAll(differences: readonly Difference[]): void {
    this.diffs.push(...differences);
  }

  /** The differences recorded here so far. */
  differences(): readonly Difference[] {
    return this.diffs;
  }

  /** True when every difference recorded here is in the compatible set. */
  isCompatible(): boolean {
    return this.diffs.every((difference) => this.shared.compatible.has(difference.type));
  }

  /** Whether some pass truncated a `$ref` cycle by assuming it compatible. */
  usedOptimism(): boolean {
    return this.shared.optimismUsed;
  }

  /** The memoized pairs whose differences are not all compatible. */
  incompatiblePairs(): PairMap<PairDifferences> {
    const incompatible = new PairMap<PairDifferences>();
    for (const [original, update, differences] of this.shared.memo.entries()) {
      if (differences.some((difference) => !this.shared.compatible.has(difference.type)))
        incompatible.set(original, update, differences);
    }
    return incompatible;
  }

  /**
   * Compares two subschemas at the current path (Confluent's `SchemaDiff.compare(ctx, …)`):
   * an absent side is SCHEMA_ADDED/SCHEMA_REMOVED; `$ref`s are followed; each pair of
   * nodes is compared once and its result reused wherever it is met again.
   */
  compare(original: SchemaNode | undefined, update: SchemaNode | undefined): void {
    if (original === undefined && update === undefined) return;
    if (original === undefined) {
      this.add('SCHEMA_ADDED');
      return;
    }
    if (update === undefined) {
      this.add('SCHEMA_REMOVED');
      return;
    }
    const o = resolveRefs(original);
    const u = resolveRefs(update);
    this.addRebased(this.compareMemoized(o, u));
  }

  private compareMemoized(original: SchemaNode, update: SchemaNode): PairDifferences {
    const { memo, inProgress, incompatibleSeed } = this.shared;
    const cached = memo.get(original, update);
    if (cached) return cached;
    if (inProgress.get(original, update)) {
      const seeded = incompatibleSeed.get(original, update);
      if (seeded) return seeded;
      this.shared.optimismUsed = true;
      return [];
    }
    inProgress.set(original, update, true);
    try {
      const pairContext = new DiffContext(this.shared, []);
      this.shared.comparePair(pairContext, original, update);
      const result = [...pairContext.diffs];
      memo.set(original, update, result);
      return result;
    } finally {
      inProgress.delete(original, update);
    }
  }

  private addRebased(relative: PairDifferences): void {
    if (this.path.length === 0) {
      this.diffs.push(...relative);
      return;
    }
    const prefix = this.pathText();
    for (const difference of relative) {
      const rest = difference.path.slice(2);
      this.diffs.push({ type: difference.type, path: rest === '' ? prefix : `${prefix}/${rest}` });
    }
  }

  private pathText(): string {
    return `#/${this.path.join('/')}`;
  }
}
