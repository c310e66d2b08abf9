import { Command } from 'commander';
import { registerInvokeCommand } from '../lib/cli/invoke-command';
import { registerLocalCommand } from '../lib/cli/local-command';
import { quietNodeVersionWarning } from '../lib/cli/node-support';
import { registerPlanCommand } from '../lib/cli/plan-command';
import { registerTwinCommand } from '../lib/cli/twin-command';
import { packageVersion } from '../lib/package-info';
import { installPolyfills } from '../lib/polyfills';

installPolyfills();
quietNodeVersionWarning();

const program = new Command()
  .name('sky')
  .description('skymesh: serverless sky computing on AWS Lambda')
  .version(packageVersion(), '-V, --version', 'print the version of skymesh')
  // A usage error prints the error and where to look, not the whole help.
  .showHelpAfterError("(run 'sky --help' or 'sky <command> --help' for usage)");

// Each command lives in lib/cli/<name>-command.ts and registers itself here.
registerInvokeCommand(program);
registerLocalCommand(program);
registerPlanCommand(program);
registerTwinCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
