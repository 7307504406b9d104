/**
 * The `blindspot` command. Each subcommand lives in its own module and registers itself here.
 */
import { Command } from 'commander';
import { registerInfo } from './info.ts';
import { registerTraining } from './train.ts';
import { registerReproduce } from './reproduce.ts';
import { registerUnits } from './units.ts';
import { registerSpectrum } from './spectrum.ts';
import { registerHarden } from './harden.ts';

const program = new Command();
program
  .name('blindspot')
  .description(
    'A WebGPU tensor engine that trains the MNIST networks of Szegedy et al. (2014) and finds their blind spots.',
  )
  .showHelpAfterError()
  .option('--adapter <name>', "WebGPU adapter: 'swiftshader', 'hardware' or part of its name (env BLINDSPOT_ADAPTER)");

registerInfo(program);
registerTraining(program);
registerReproduce(program);
registerUnits(program);
registerSpectrum(program);
registerHarden(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`blindspot: ${(error as Error).message}`);
  process.exitCode = 1;
}
