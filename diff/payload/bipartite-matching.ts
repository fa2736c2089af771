/** Maximum bipartite matching (Kuhn's augmenting paths), for pairing the branches of combined schemas. */

/**
 * A largest set of edges no two of which share an end. `edges[left]` lists the right
 * vertices `left` may pair with; returns for each left vertex its right partner or -1.
 */
export function maximumMatching(edges: readonly (readonly number[])[], rightCount: number): number[] {
  const leftOf = new Array<number>(rightCount).fill(-1);
  const augment = (left: number, visited: boolean[]): boolean => {
    for (const right of edges[left] ?? []) {
      if (visited[right]) continue;
      visited[right] = true;
      const holder = leftOf[right] ?? -1;
      if (holder === -1 || augment(holder, visited)) {
        leftOf[right] = left;
        return true;
      }
    }
    return false;
  };
  for (let left = 0; left < edges.length; left++) augment(left, new Array<boolean>(rightCount).fill(false));
  const rightOf = new Array<number>(edges.length).fill(-1);
  leftOf.forEach((left, right) => {
    if (left !== -1) rightOf[left] = right;
  });
  return rightOf;
}
