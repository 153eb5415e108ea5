import { formatShare, scalingPolicy, scalingState, trafficShares, weightsChanges } from '../src/endpoints/traffic';
import type { IVariantDescription } from '../src/endpoints/types';

/** The table's inputs as they start: the desired values. */
const editsOf = (variants: IVariantDescription[]) =>
  variants.map(v => ({ VariantName: v.VariantName, weight: String(v.DesiredWeight), instanceCount: String(v.DesiredInstanceCount) }));

const variant = (name: string, weight: number, count: number): IVariantDescription => ({
  VariantName: name,
  ModelName: `${name}-model`,
  CurrentWeight: weight,
  DesiredWeight: weight,
  CurrentInstanceCount: count,
  DesiredInstanceCount: count
});

describe('traffic shares', () => {
  it('divides traffic by weight', () => {
    expect(trafficShares([3, 1])).toEqual([75, 25]);
    expect(trafficShares([1, 0, 1])).toEqual([50, 0, 50]);
    expect(trafficShares([0, 0])).toEqual([0, 0]);
    expect(trafficShares([2, -1, NaN])).toEqual([100, 0, 0]);
    expect(trafficShares([])).toEqual([]);
  });

  it('formats shares', () => {
    expect(formatShare(100)).toBe('100%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(200 / 3)).toBe('66.7%');
    expect(formatShare(33.333)).toBe('33.3%');
    expect(formatShare(NaN)).toBe('—');
  });
});

describe('weights and capacities', () => {
  const variants = [variant('a', 1, 1), variant('b', 1, 2)];

  it('sends only what changed', () => {
    const edits = editsOf(variants);
    edits[0].weight = '3';
    edits[1].instanceCount = '4';
    expect(weightsChanges(variants, edits)).toEqual({
      ok: true,
      changes: [
        { VariantName: 'a', DesiredWeight: 3 },
        { VariantName: 'b', DesiredInstanceCount: 4 }
      ]
    });
    expect(weightsChanges(variants, editsOf(variants))).toEqual({ ok: true, changes: [] });
  });

  it('reports bad values per variant and a zero total', () => {
    const edits = editsOf(variants);
    edits[0].weight = 'heavy';
    edits[1].instanceCount = '0';
    const check = weightsChanges(variants, edits);
    expect(!check.ok && Object.keys(check.errors)).toEqual(['a.weight', 'b.instance_count']);
    const zero = editsOf(variants).map(e => ({ ...e, weight: '0' }));
    const zeroCheck = weightsChanges(variants, zero);
    expect(!zeroCheck.ok && zeroCheck.errors.form).toMatch(/above 0/);
  });

  it('respects the instance limit', () => {
    const edits = editsOf(variants);
    edits[0].instanceCount = '9';
    expect(weightsChanges(variants, edits, 8).ok).toBe(false);
  });
});

describe('auto-scaling policies', () => {
  it('fills the editor from a policy or defaults', () => {
    expect(scalingState(undefined, 3)).toEqual({ min: '3', max: '3', target: '100', scaleIn: '300', scaleOut: '60' });
    expect(scalingState(undefined, 1).max).toBe('2');
    expect(
      scalingState({ MinCapacity: 1, MaxCapacity: 4, TargetValue: 50, ScaleInCooldown: 120, ScaleOutCooldown: 30 })
    ).toEqual({ min: '1', max: '4', target: '50', scaleIn: '120', scaleOut: '30' });
  });

  it('builds the PUT body', () => {
    expect(scalingPolicy({ min: '1', max: '4', target: '12.5', scaleIn: '300', scaleOut: '0' })).toEqual({
      ok: true,
      policy: { MinCapacity: 1, MaxCapacity: 4, TargetValue: 12.5, ScaleInCooldown: 300, ScaleOutCooldown: 0 }
    });
  });

  it('reports each bad field', () => {
    const check = scalingPolicy({ min: '3', max: '2', target: '0', scaleIn: '-1', scaleOut: 'x' });
    expect(!check.ok && Object.keys(check.errors).sort()).toEqual(['max', 'scaleIn', 'scaleOut', 'target']);
    expect(!check.ok && check.errors.max).toMatch(/at least the minimum/);
    const missing = scalingPolicy({ min: '', max: '2', target: '', scaleIn: '0', scaleOut: '0' });
    expect(!missing.ok && Object.keys(missing.errors).sort()).toEqual(['min', 'target']);
  });
});
