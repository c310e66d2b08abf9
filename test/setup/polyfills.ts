import { quietNodeVersionWarning } from '../../lib/cli/node-support';
import { installPolyfills } from '../../lib/polyfills';

installPolyfills();

// Tests create SDK clients in every worker; the SDK's Node 22 notice is in the README, not in each log.
quietNodeVersionWarning();
