/**
 * The `isobench` command line. This file only wires verbs; each verb lives in its own module and is
 * loaded on demand so that start-up stays fast. It is the only place that calls `process.exit`.
 */
import { Command } from 'commander';

const program = new Command('isobench')
  .description('Measure how well coding agents optimise real inference-engine code.')
  .version('0.1.0');

await program.parseAsync(process.argv);
