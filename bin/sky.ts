import { Command } from 'commander';
import { registerInvokeCommand } from '../lib/cli/invoke-command';
import { registerLocalCommand } from '../lib/cli/local-command';
import { registerPlanCommand } from '../lib/cli/plan-command';
import { registerTwinCommand } from '../lib/cli/twin-command';
import { installPolyfills } from '../lib/polyfills';

installPolyfills();

const program = new Command()
  .name('sky')
  .description('skymesh: serverless sky computing on AWS Lambda')
  .showHelpAfterError();

// Each command lives in lib/cli/<name>-command.ts and registers itself here.
registerInvokeCommand(program);
registerLocalCommand(program);
registerPlanCommand(program);
registerTwinCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
