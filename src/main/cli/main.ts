// The `nasw` command line: one program, sub-commands registered from one file each.
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { resolveHome } from '../store/home';
import { registerCountCommand } from './count';
import { registerDatasetCommands } from './dataset';
import { registerDiscretizeCommand } from './discretize';
import { registerDoctorCommand } from './doctor';
import { registerEvaluateCommand } from './evaluate';
import { registerRetrainCommand } from './retrain';
import { registerRunsCommands } from './runs';
import { registerSearchCommand } from './search';
import { registerServeCommand } from './serve';

export function buildProgram(): Command {
  const program = new Command('nasw')
    .description('NAS Workbench — differentiable architecture search (DARTS, iDARTS) from the command line')
    .option('--home <dir>', 'data folder (database, datasets, runs); default: $NASW_HOME or the app\'s user-data folder')
    .showHelpAfterError();
  const getHome = () => resolveHome(program.opts<{ home?: string }>().home);
  registerSearchCommand(program, getHome);
  registerServeCommand(program, getHome);
  registerDiscretizeCommand(program, getHome);
  registerRetrainCommand(program, getHome);
  registerEvaluateCommand(program, getHome);
  registerCountCommand(program);
  registerDoctorCommand(program);
  registerDatasetCommands(program, getHome);
  registerRunsCommands(program, getHome);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const json = argv.includes('--json');
    // A schema error that no command worded by its flags still reads as lines, not as a JSON issue array.
    const message = e instanceof z.ZodError ? z.prettifyError(e) : e instanceof Error ? e.message : String(e);
    if (json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    else process.stderr.write(message.split('\n').map((line) => `nasw: ${line}\n`).join(''));
    process.exitCode = 1;
  }
}
