/**
 * `npm run delivery:env -- --stage <name>` (`--help`)
 *
 * Prints the stage's account, region, delivery roles, CDK lookup role, domain and
 * GitHub environment as name=value lines, which the delivery workflows append to
 * $GITHUB_OUTPUT. Offline: read from cdk.json. Exit code 0, or 2 on bad arguments.
 */
import { runMain } from './lib/cli';
import { deliveryEnvCommand } from './lib/delivery-env';

/** `npm run delivery:env`. */
export const command = deliveryEnvCommand();

runMain(command, module);
