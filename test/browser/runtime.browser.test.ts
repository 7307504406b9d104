/** WebGPU in the browser page: where the device comes from and that work round-trips through it. */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';
import { fill } from '../../src/tensor/ops/index.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

describe('WebGPU in the browser', () => {
  it('is offered by navigator.gpu in a secure context', () => {
    expect(window.isSecureContext, 'navigator.gpu needs a secure context (http://127.0.0.1, https)').toBe(true);
    expect(navigator.gpu).toBeDefined();
  });

  it('gives the engine a browser adapter with its identity and limits', () => {
    const { adapter, notes } = getEngine();
    console.log(`browser adapter: ${adapter.vendor} / ${adapter.architecture} / ${adapter.description} (${notes.join('; ')})`);
    expect(adapter.platform).toBe('browser');
    expect(`${adapter.vendor}${adapter.architecture}${adapter.description}`).not.toBe('');
    expect(adapter.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(getEngine().limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
  });

  it('round-trips data through a kernel and a readback', async () => {
    const out = fill(getEngine(), [1000], 2.5);
    expect([...(await out.data())]).toEqual(new Array(1000).fill(2.5));
    out.dispose();
  });

  it('builds a second engine from a device the page already has', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter).not.toBeNull();
    const device = await adapter!.requestDevice();
    const engine = Engine.fromDevice(device, getEngine().adapter);
    try {
      const out = fill(engine, [3], 7);
      expect([...(await out.data())]).toEqual([7, 7, 7]);
    } finally {
      engine.dispose();
    }
  });
});
