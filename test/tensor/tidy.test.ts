/**
 * tidy(): what it keeps (tensors returned directly or through arrays, Maps and plain objects), what it
 * frees (everything else made inside), and that a result hiding a tensor where tidy does not look is an
 * error naming the tensor and its place, not a silently freed tensor.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, keep, tidy } from '../../src/tensor/context.ts';
import { fill, tensor } from '../../src/tensor/ops/index.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

class Holder {
  constructor(readonly weights: Tensor) {}
}

describe('tidy', () => {
  it('keeps tensors returned directly, in arrays, Maps (keys and values) and plain objects, and frees the rest', async () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    let dropped!: Tensor;
    const made = () => fill(engine, [2], 1);
    const result = tidy(engine, () => {
      dropped = made();
      const bare = Object.create(null) as { t: Tensor };
      bare.t = made();
      return {
        direct: made(),
        list: [made(), [made()]],
        map: new Map([[made(), made()]]),
        nested: { deeper: { t: made() } },
        bare,
        numbers: [1, 2, 3],
      };
    });
    const kept = [result.direct, result.list[0] as Tensor, (result.list[1] as Tensor[])[0], ...[...result.map].flat(), result.nested.deeper.t, result.bare.t];
    expect(kept.every((t) => !t.isDisposed)).toBe(true);
    expect(dropped.isDisposed).toBe(true);
    expect(contextOf(engine).live).toBe(live + kept.length);
    expect([...(await result.direct.data())]).toEqual([1, 1]);
    for (const t of kept) t.dispose();
  });

  it('hands what an inner tidy keeps to the outer one', () => {
    const engine = getEngine();
    let inner!: Tensor;
    const outer = tidy(engine, () => {
      inner = tidy(engine, () => fill(engine, [1], 2));
      return fill(engine, [1], 3);
    });
    expect(inner.isDisposed).toBe(true);
    expect(outer.isDisposed).toBe(false);
    outer.dispose();
  });

  it('refuses a result that holds a new tensor inside a class instance, naming it and where it is', () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    let weights!: Tensor;
    expect(() =>
      tidy(engine, () => {
        weights = fill(engine, [3], 0);
        return { model: new Holder(weights), step: 1 };
      }),
    ).toThrow(/^tidy\(\): the result holds Tensor#\d+\[3\] at result\.model\.weights, inside a Holder, where tidy does not look.*keep\(\) it inside the function/);
    // Nothing made inside survives a refused result.
    expect(weights.isDisposed).toBe(true);
    expect(contextOf(engine).live).toBe(live);
  });

  it('refuses a new tensor inside a Set, even one nested in an array', () => {
    const engine = getEngine();
    expect(() => tidy(engine, () => [new Set([fill(engine, [1], 0)])])).toThrow(
      /^tidy\(\): the result holds Tensor#\d+\[1\] at result\[0\] \(item 0 of a Set\), inside a Set,/,
    );
  });

  it('accepts class instances whose tensors are kept, made outside, or also returned plainly', () => {
    const engine = getEngine();
    const outside = fill(engine, [1], 5);
    const result = tidy(engine, () => {
      const kept = keep(fill(engine, [1], 6));
      const shared = fill(engine, [1], 7);
      return { a: new Holder(kept), b: new Holder(outside), c: new Holder(shared), shared };
    });
    for (const t of [result.a.weights, result.b.weights, result.c.weights]) expect(t.isDisposed).toBe(false);
    for (const t of [outside, result.a.weights, result.shared]) t.dispose();
  });

  it('walks results with cycles and typed arrays without hanging', () => {
    const engine = getEngine();
    const result = tidy(engine, () => {
      const node: { self?: unknown; t: Tensor; pixels: Float32Array } = { t: fill(engine, [1], 1), pixels: new Float32Array(1_000_000) };
      node.self = node;
      return node;
    });
    expect(result.t.isDisposed).toBe(false);
    result.t.dispose();
  });

  it('refuses an async function and frees what it made', async () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    expect(() =>
      tidy(engine, async () => {
        tensor(engine, [1]);
      }),
    ).toThrow(/tidy\(\): the function must be synchronous/);
    expect(contextOf(engine).live).toBe(live);
  });
});
