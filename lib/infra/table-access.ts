import * as iam from 'aws-cdk-lib/aws-iam';
import { TABLE_SCHEMA } from '../contracts';

/**
 * Table access of the router: it reads every zone's `LATEST`, the profiles, the passive counts, the
 * functions' hosts, the INIT reports and the profiles' threads by queries (of the type index and by key) and adds
 * observations with updates (`SkyStore`'s `latestCharacterizations`, `profiles`, `allPassiveCounts`,
 * `allFunctionHosts`, `allInitSums`, `allParallelism`, `addProfileSums`, `addPassiveCpu`, `addFunctionHosts`,
 * `addInitSums`, `setParallelism`), and takes and ends exploration leases with conditional updates, reading a
 * lost lease back with a query (`takeExplorationLease`, `endExplorationLease`). It never gets, puts or deletes an
 * item.
 */
export function routerTableStatement(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadWriteSkyTable',
    actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    resources: [tableArn, `${tableArn}/index/${TABLE_SCHEMA.typeIndex.name}`],
  });
}

/**
 * Table access of the sampling steps: runs and polls are put once (conditional puts), read by key and
 * merged with conditional updates; a run's polls are queried by key; characterizations are put
 * (`startRun`, `getRun`, `recordPoll`, `polls`, `finishRun`, `failRun`, `putCharacterization`,
 * `latestCharacterizationRecord`). No index, no batch, no delete.
 */
export function samplingTableStatement(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadWriteSkyTable',
    actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    resources: [tableArn],
  });
}
