/** Which WebGPU adapter this suite runs on, printed so every test log says where the kernels ran. */
import { expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';
import { fill } from '../../src/tensor/ops/fill.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

it('has a WebGPU adapter that says what it is and runs kernels', async () => {
  const { adapter, notes } = getEngine();
  console.log(
    `WebGPU adapter (${adapter.platform}): vendor=${adapter.vendor} architecture=${adapter.architecture} ` +
      `description=${adapter.description}${adapter.isSwiftShader ? ' [SwiftShader, CPU]' : ''} (${notes.join('; ')})`,
  );
  expect(`${adapter.vendor}${adapter.architecture}${adapter.description}`, 'adapter identity').not.toBe('');
  expect(adapter.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
  expect(getEngine().limits.maxStorageBufferBindingSize, 'the device gets the adapter limits, not the defaults').toBe(
    adapter.limits.maxStorageBufferBindingSize,
  );
  const t = fill(getEngine(), [5], 7);
  expect([...(await t.data())]).toEqual([7, 7, 7, 7, 7]);
  t.dispose();
});

it('engines created and disposed one after another, beside a live one, each work and leave the process running', async () => {
  // Every engine of the process shares one Dawn instance (src/gpu/device.ts): a device destroyed on it must
  // leave it able to give the next engine a working device, and leave the other engines' devices alone.
  for (let cycle = 0; cycle < 12; cycle++) {
    const engine = await Engine.create();
    try {
      const t = fill(engine, [3], cycle);
      expect([...(await t.data())], `cycle ${cycle}`).toEqual([cycle, cycle, cycle]);
    } finally {
      await engine.dispose();
    }
  }
  const t = fill(getEngine(), [2], 1);
  expect([...(await t.data())]).toEqual([1, 1]);
  t.dispose();
});
