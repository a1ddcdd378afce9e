import { describe, expect, it } from 'vitest';
import { ConflictError, TransientError } from '../../../../functions/domain/errors.js';
import { planBatchChanges, writeBatchPlans } from '../../../../functions/domain/resolution/runs.js';
import { ChangeTooLargeError, type ClusterState } from '../../../../functions/domain/resolution/store.js';
import { resolutionTestDeps } from '../../../fakes/in-memory-resolution-store.js';

const T = 't1';
type Deps = ReturnType<typeof resolutionTestDeps>;

/** Stores clusters (and their pointers) as a batch would have written them. */
function seed(deps: Deps, clusters: { clusterId: string; members: string[] }[]): void {
  for (const c of clusters) {
    deps.store.clusters.set(`${T}#${c.clusterId}`, { ...c, type: 'person', version: 1 });
    for (const m of c.members) deps.store.pointers.set(`${T}#${m}`, c.clusterId);
  }
}

/** Plans the batch's groups against what is stored and writes it, as a run's `writing` phase does. */
async function batch(deps: Deps, groups: string[][]) {
  const stored = await deps.store.listClusters(T, 'person');
  return writeBatchPlans(T, planBatchChanges('person', stored, groups, [], 'run1', deps), 'r1', deps);
}

/** Every cluster has two members or more, each pointing at it; every pointer names a cluster listing it. */
function expectConsistent(deps: Deps): ClusterState[] {
  const clusters = [...deps.store.clusters.values()];
  const seen = new Set<string>();
  for (const c of clusters) {
    expect(c.members.length).toBeGreaterThanOrEqual(2);
    for (const m of c.members) {
      expect(seen.has(m), `${m} in two clusters`).toBe(false);
      seen.add(m);
      expect(deps.store.pointers.get(`${T}#${m}`)).toBe(c.clusterId);
    }
  }
  for (const [k, id] of deps.store.pointers)
    expect(deps.store.clusters.get(`${T}#${id}`)?.members, k).toContain(k.slice(T.length + 1));
  return clusters;
}
const asSets = (groups: string[][]) => groups.map((g) => [...g].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));

describe('a batch change larger than one transaction is written in steps', () => {
  it('splits one stored cluster of 400 into 200 clusters, every transaction within the limit', async () => {
    const deps = resolutionTestDeps();
    deps.store.limits = true;
    const ids = Array.from({ length: 400 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    seed(deps, [{ clusterId: 'chain', members: ids }]);
    const pairs = Array.from({ length: 200 }, (_, k) => [ids[2 * k]!, ids[2 * k + 1]!]);

    const out = await batch(deps, pairs);

    expect(out).toMatchObject({ conflicts: 0, mergedEvents: 199, splitEvents: 1 });
    expect(out.transactions).toBeGreaterThan(2);
    expect(Math.max(...deps.store.transactionItems)).toBeLessThanOrEqual(100);
    const clusters = expectConsistent(deps);
    expect(asSets(clusters.map((c) => c.members))).toEqual(asSets(pairs));
    // one audit record per transaction; the split is announced once, when the stored cluster is complete
    expect(deps.store.mutations).toHaveLength(out.transactions);
    const split = deps.store.events('entity.split');
    expect(split).toHaveLength(1);
    expect(split[0]!.payload).toMatchObject({ clusterId: 'chain', resultingClusterCount: 200 });
    expect(deps.store.mutations.at(-1)!.mutation.events.map((e) => e.name)).toContain('entity.split');
    expect(
      new Set(deps.store.events('entity.merged').map((e) => (e.payload as { clusterId: string }).clusterId)).size,
    ).toBe(199);
  });

  it('merges 150 stored clusters into one (more than 95 pages of existing clusters rewritten)', async () => {
    const deps = resolutionTestDeps();
    deps.store.limits = true;
    const stored = Array.from({ length: 150 }, (_, k) => ({
      clusterId: `c${String(k).padStart(3, '0')}`,
      members: [`a${k}`, `b${k}`, `c${k}`],
    }));
    seed(deps, stored);
    const all = stored.flatMap((c) => c.members);
    // and 20 entities that were alone join it
    const alone = Array.from({ length: 20 }, (_, k) => `s${k}`);

    const out = await batch(deps, [[...all, ...alone]]);

    expect(out.conflicts).toBe(0);
    expect(Math.max(...deps.store.transactionItems)).toBeLessThanOrEqual(100);
    const clusters = expectConsistent(deps);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.clusterId).toBe('c000');
    expect(new Set(clusters[0]!.members)).toEqual(new Set([...all, ...alone]));
    // each step announces the entities it moved into the cluster
    const merged = deps.store.events('entity.merged').map((e) => e.payload as { entityIds: string[] });
    expect(merged).toHaveLength(out.transactions);
    expect(merged.flatMap((p) => p.entityIds).sort()).toEqual([...all.slice(3), ...alone].sort());
  });

  it('breaks a stored cluster into clusters and singles, and leave pointers may follow the transaction', async () => {
    const deps = resolutionTestDeps();
    deps.store.limits = true;
    const ids = Array.from({ length: 3000 }, (_, i) => `e${i}`);
    seed(deps, [{ clusterId: 'big', members: ids }]);
    const groups = Array.from({ length: 60 }, (_, k) => ids.slice(50 * k, 50 * k + 3));
    const out = await batch(deps, groups);
    expect(out).toMatchObject({ conflicts: 0, splitEvents: 1, mergedEvents: 59 });
    const clusters = expectConsistent(deps);
    expect(asSets(clusters.map((c) => c.members))).toEqual(asSets(groups));
    expect(deps.store.pointers.size).toBe(180);
  });

  it('deletes stored clusters left with one member part-way and announces their split', async () => {
    const deps = resolutionTestDeps();
    deps.store.limits = true;
    // 100 stored triples; each gives two members to one of two big clusters and its third to the other
    const stored = Array.from({ length: 100 }, (_, k) => ({
      clusterId: `c${String(k).padStart(3, '0')}`,
      members: [`a${k}`, `b${k}`, `x${k}`],
    }));
    seed(deps, stored);
    const left = stored.flatMap((c) => [c.members[0]!, c.members[1]!]);
    const right = stored.map((c) => c.members[2]!);
    const out = await batch(deps, [left, right]);
    expect(out.conflicts).toBe(0);
    expect(Math.max(...deps.store.transactionItems)).toBeLessThanOrEqual(100);
    expect(asSets(expectConsistent(deps).map((c) => c.members))).toEqual(asSets([left, right]));
    expect(out.splitEvents).toBe(100);
  });

  it('stops at a conflict with the steps written standing, and a re-run converges', async () => {
    const deps = resolutionTestDeps();
    const ids = Array.from({ length: 400 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    seed(deps, [{ clusterId: 'chain', members: ids }]);
    const pairs = Array.from({ length: 200 }, (_, k) => [ids[2 * k]!, ids[2 * k + 1]!]);
    const apply = deps.store.applyChange.bind(deps.store);
    let calls = 0;
    deps.store.applyChange = async (...args) => {
      if (++calls === 3) throw new ConflictError('an incremental link changed the cluster');
      return apply(...args);
    };
    const first = await batch(deps, pairs);
    expect(first.conflicts).toBe(1);
    expectConsistent(deps);
    expect(deps.store.clusters.size).toBeGreaterThan(1);

    // a crash (transient failure) mid-way: the run is delivered again and plans from what is stored
    calls = -100;
    deps.store.applyChange = async (...args) => {
      if (++calls === -98) throw new TransientError('lambda timed out');
      return apply(...args);
    };
    await expect(batch(deps, pairs)).rejects.toBeInstanceOf(TransientError);
    expectConsistent(deps);
    deps.store.applyChange = apply;
    expect((await batch(deps, pairs)).conflicts).toBe(0);
    expect(asSets(expectConsistent(deps).map((c) => c.members))).toEqual(asSets(pairs));
    // nothing left to do
    expect((await batch(deps, pairs)).transactions).toBe(0);
  });

  it('plans a step again with half the budget when the store finds it too large', async () => {
    const deps = resolutionTestDeps();
    const ids = Array.from({ length: 400 }, (_, i) => `e${i}`);
    seed(deps, [{ clusterId: 'chain', members: ids }]);
    const pairs = Array.from({ length: 200 }, (_, k) => [ids[2 * k]!, ids[2 * k + 1]!]);
    const apply = deps.store.applyChange.bind(deps.store);
    const sizes: number[] = [];
    deps.store.applyChange = async (t, change, mutation) => {
      const items = change.clusters.length * 2 + change.pointers.length + mutation.events.length;
      if (items > 40) throw new ChangeTooLargeError('too large');
      sizes.push(items);
      return apply(t, change, mutation);
    };
    expect((await batch(deps, pairs)).conflicts).toBe(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(40);
    expect(asSets(expectConsistent(deps).map((c) => c.members))).toEqual(asSets(pairs));
  });

  it('heals a stale pointer (its cluster no longer lists the entity) instead of refusing every link', async () => {
    const deps = resolutionTestDeps();
    seed(deps, [{ clusterId: 'c1', members: ['a', 'b'] }]);
    // a leave whose pointer delete never landed (the writer crashed)
    deps.store.pointers.set(`${T}#x`, 'c1');
    expect(await deps.store.clusterOf(T, 'x')).toBeUndefined();
    deps.store.pointers.set(`${T}#x`, 'c1');
    await batch(deps, [['a', 'b', 'x']]);
    expect(expectConsistent(deps)[0]!.members).toEqual(['a', 'b', 'x']);
  });
});
