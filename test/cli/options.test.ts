/**
 * The built CLI, as a user runs it, with bad numbers and bad places: every numeric option is refused before
 * any work, naming the option and what it accepts; an output folder that cannot exist (under /proc, where
 * Node's own recursive mkdir loops forever) or a file in its way is refused at once; training that would
 * take no step is refused before the data, the GPU or a checkpoint are touched.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/builtCli.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindspot-options-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('numeric options', () => {
  const cases: [string[], RegExp][] = [
    [['train', 'FC10(1e-4)', '--seed', '-1'], /option '--seed <n>' argument '-1' is invalid\. expected an integer ≥ 0/],
    [['train', 'FC10(1e-4)', '--seed', 'abc'], /option '--seed <n>' argument 'abc' is invalid/],
    [['train', 'FC10(1e-4)', '--epochs', '1e400'], /option '--epochs <n>' argument '1e400' is invalid\. expected an integer ≥ 1/],
    [['train', 'FC10(1e-4)', '--lr', 'NaN'], /option '--lr <x>' argument 'NaN' is invalid\. expected a finite number > 0/],
    [['train', 'FC10(1e-4)', '--batch', '2.5'], /option '--batch <n>' argument '2\.5' is invalid/],
    [['reproduce', '--n', '0'], /option '--n <n>' argument '0' is invalid\. expected an integer ≥ 1/],
    [['reproduce', '--tolerance', '1.5'], /option '--tolerance <x>' argument '1\.5' is invalid\. expected a number in \[0, 1\)/],
    [['reproduce', '--batch', ''], /option '--batch <n>' argument '' is invalid/],
    [['reproduce', '--exhaustive', '--refinements', '3'], /--exhaustive runs the paper's fixed schedule; it takes no --refinements/],
    [['harden', 'FC100-100-10', '--rate', '1'], /option '--rate <x>' argument '1' is invalid\. expected a number in \[0, 1\)/],
    [['harden', 'FC100-100-10', '--layers', 'input,x'], /expected 'input' or hidden layer numbers/],
    [['harden', 'FC100-100-10', '--layers', '2'], /layer 2 is not a hidden sigmoid layer/],
    [['harden', 'FC100-100-10', '--mode', 'noise'], /--mode noise needs --sigma/],
    [['units', 'models/FC100-100-10-full.safetensors', '--k', '0'], /option '--k <n>' argument '0' is invalid/],
  ];
  it.each(cases)('blindspot %j is refused before any work', async (args, message) => {
    const { code, stderr } = await runCli([...args, '--out', join(dir, 'never')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    // Not even the output folder was made.
    expect(await readdir(dir)).not.toContain('never');
  });
});

describe('output folders', () => {
  it.each([
    [['train', 'FC10(1e-4)', '--out', '/proc/blindspot/out'], /checkpoint folder \/proc\/blindspot\/out: cannot create \/proc\/blindspot/],
    [['reproduce', '--preview', '--out', '/proc/blindspot/out'], /output folder \/proc\/blindspot\/out: cannot create \/proc\/blindspot/],
  ])('%j fails at once instead of hanging', async (args, message) => {
    const { code, stderr } = await runCli(args, 20_000);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('a file where the folder should be is named as such', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const { code, stderr } = await runCli(['train', 'FC10(1e-4)', '--out', join(dir, 'a-file', 'inside')], 20_000);
    expect(code).toBe(1);
    expect(stderr).toMatch(/a-file exists and is not a folder/);
  });
});

describe('training that would take no step', () => {
  it('is refused before any work, and leaves no checkpoint', async () => {
    const out = join(dir, 'zero-steps');
    const { code, stderr } = await runCli(['train', 'FC100-100-10', '--batch', '100000', '--out', out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/batch 100000 is larger than the 60000 examples per epoch, so no step would run/);
    expect((await readdir(out)).filter((f) => f.endsWith('.safetensors'))).toEqual([]);
  });
});
