/**
 * Process trees: the block-structured models the inductive miner discovers. Every process tree stands for a sound
 * workflow net (see to-petri-net.ts), which is why the miner builds one first.
 */

/** A leaf: one activity, or tau (a silent step) when `activity` is null. */
export interface ProcessTreeLeaf {
  kind: 'activity';
  activity: string | null;
}

/**
 * An operator node. `sequence`: the children in order; `xor`: exactly one child; `parallel`: all children,
 * interleaved; `loop`: the first child (do), then any number of times the second (redo) followed by the do again.
 */
export interface ProcessTreeOperator {
  kind: 'sequence' | 'xor' | 'parallel' | 'loop';
  children: ProcessTree[];
}

export type ProcessTree = ProcessTreeLeaf | ProcessTreeOperator;

export const tau = (): ProcessTreeLeaf => ({ kind: 'activity', activity: null });
export const activity = (name: string): ProcessTreeLeaf => ({ kind: 'activity', activity: name });

/**
 * An operator node whose children of the same associative operator (sequence in sequence, xor in xor, parallel in
 * parallel) are lifted into it: the language is the same and the tree, its net and its picture are smaller.
 */
export function operator(kind: ProcessTreeOperator['kind'], children: ProcessTree[]): ProcessTree {
  if (kind === 'loop') return { kind, children };
  const flat: ProcessTree[] = [];
  for (const child of children) {
    if (child.kind === kind) flat.push(...child.children);
    else flat.push(child);
  }
  return flat.length === 1 ? flat[0]! : { kind, children: flat };
}

const SYMBOL: Record<ProcessTreeOperator['kind'], string> = { sequence: '->', xor: 'X', parallel: '+', loop: '*' };

/**
 * The tree in the notation pm4py and the process-mining literature print: `->( 'a', X( 'b', tau ), *( 'c', tau ) )`.
 * Quotes and backslashes inside activity names are escaped so the text stays unambiguous.
 */
export function formatProcessTree(tree: ProcessTree): string {
  if (tree.kind === 'activity') {
    return tree.activity === null ? 'tau' : `'${tree.activity.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  }
  return `${SYMBOL[tree.kind]}( ${tree.children.map(formatProcessTree).join(', ')} )`;
}

/** The activities the tree's leaves name, each once, sorted. */
export function treeActivities(tree: ProcessTree): string[] {
  const seen = new Set<string>();
  const walk = (node: ProcessTree): void => {
    if (node.kind === 'activity') {
      if (node.activity !== null) seen.add(node.activity);
    } else node.children.forEach(walk);
  };
  walk(tree);
  return [...seen].sort();
}
