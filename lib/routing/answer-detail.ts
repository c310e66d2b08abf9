import type { RouterAnswer } from './types';

/** What an answer that is not the one asked for says, for an error message: `NoTarget: no zone has hosts`, or its status. */
export function answerDetail(answer: RouterAnswer): string {
  return answer.status === 'error' ? `${answer.error.type}: ${answer.error.message}` : answer.status;
}
