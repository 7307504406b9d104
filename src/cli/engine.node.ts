/** Engine creation for CLI commands: honours --adapter and always disposes (Dawn aborts at exit otherwise). */
import type { Command } from 'commander';
import { Engine } from '../gpu/engine.ts';

export async function withEngine<T>(command: Command, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const adapter = command.optsWithGlobals<{ adapter?: string }>().adapter;
  const engine = await Engine.create({ adapter });
  try {
    return await fn(engine);
  } finally {
    await engine.dispose();
  }
}
