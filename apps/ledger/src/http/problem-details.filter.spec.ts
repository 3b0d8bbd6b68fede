import { ViewsRebuildingError } from '@ledger/projections';
import { toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('answers a token lookup during a rebuild from 0 with a retryable 503, never with "inactive"', () => {
    expect(toProblem(new ViewsRebuildingError())).toMatchObject({ status: 503, code: 'views_rebuilding', title: 'Service unavailable' });
  });
});
