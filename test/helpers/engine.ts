/**
 * One engine per test file, with every pooled buffer poisoned with NaN so unwritten outputs fail. Call at
 * the top level of a test file; the engine is disposed after the file's tests (Dawn aborts the process
 * at exit if a device is still alive).
 */
import { afterAll, beforeAll } from 'vitest';
import { Engine, type EngineOptions } from '../../src/gpu/engine.ts';

export function useTestEngine(options: EngineOptions = {}): () => Engine {
  let engine: Engine | null = null;
  beforeAll(async () => {
    engine = await Engine.create({ poisonBuffers: true, ...options });
  });
  afterAll(async () => {
    await engine?.dispose();
    engine = null;
  });
  return () => {
    if (!engine) throw new Error('useTestEngine(): the engine exists only inside tests of this file');
    return engine;
  };
}
