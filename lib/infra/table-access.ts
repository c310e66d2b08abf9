import * as iam from 'aws-cdk-lib/aws-iam';
import { TABLE_SCHEMA } from '../contracts';

/**
 * Read and write the skymesh table and its type index, as the router and the sampling steps do:
 * no Scan, no DeleteItem, no table management.
 */
export function skyTableReadWriteStatement(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadWriteSkyTable',
    actions: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
    resources: [tableArn, `${tableArn}/index/${TABLE_SCHEMA.typeIndex.name}`],
  });
}
