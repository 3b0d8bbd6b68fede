import { ViewsRebuildingError } from '@ledger/projections';
import { problem, ProblemError } from './problem';
import { errorAnswer, toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('answers a token lookup during a rebuild from 0 with a retryable 503, never with "inactive"', () => {
    expect(toProblem(new ViewsRebuildingError())).toMatchObject({ status: 503, code: 'views_rebuilding', title: 'Service unavailable' });
  });
});

describe('errorAnswer', () => {
  const refused = new ProblemError(problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send "form" data'), { 'x-extra': '1' });

  it('answers problem+json with a stable code off the OAuth endpoints', () => {
    const a = errorAnswer(refused, '/v1/consents');
    expect(a).toMatchObject({ status: 415, headers: { 'content-type': 'application/problem+json', 'x-extra': '1' }, body: { code: 'unsupported_media_type', instance: '/v1/consents' } });
  });

  it('answers RFC 6749 errors on them: same status and headers, the code mapped, a description without quotes', () => {
    expect(errorAnswer(refused, '/v1/oauth2/introspect')).toMatchObject({
      status: 415,
      headers: { 'content-type': 'application/json', 'x-extra': '1' },
      body: { error: 'invalid_request', error_description: "Send 'form' data" },
    });
    expect(errorAnswer(new ViewsRebuildingError(), '/v1/oauth2/revoke')).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { error: 'temporarily_unavailable' } });
    expect(errorAnswer(new Error('boom'), '/v1/oauth2/revoke')).toMatchObject({ status: 500, body: { error: 'server_error' } });
  });
});
