// A resource service as a separate project writes it: plain CommonJS, the package from its tarball, no path alias
// and nothing of the repository. test/revocation-client-package.e2e-spec.ts installs the tarball next to a copy of
// this file and talks to it by lines: it prints one JSON line per thing that happens; "introspect" on stdin asks
// the client for every token again, and "stop" leaves the consumer group.
const { RevocationClient, tokenHash } = require('@ledger/revocation-client');

const env = process.env;
const tokens = JSON.parse(env.TOKENS);
const client = new RevocationClient({
  introspectionUrl: `${env.LEDGER_URL}/v1/oauth2/introspect`,
  headers: { authorization: `Bearer ${env.LEDGER_INTROSPECT_KEY}` },
  kafka: {
    brokers: env.KAFKA_BROKERS.split(','),
    topic: env.KAFKA_REVOCATIONS_TOPIC,
    groupId: env.KAFKA_GROUP_ID,
    onEvent: (event, applied) => applied && report(event.type),
    onError: (error) => report('error', error.message),
  },
});

/** What the cache holds for each token now: true or false (a cached answer), or null (nothing cached). */
function report(kind, detail) {
  const cached = Object.fromEntries(Object.entries(tokens).map(([name, raw]) => [name, client.cache.peek(tokenHash(raw))?.active ?? null]));
  process.stdout.write(`${JSON.stringify({ kind, detail, cached })}\n`);
}

async function introspectAll() {
  const answers = {};
  for (const [name, raw] of Object.entries(tokens)) answers[name] = (await client.introspect(raw)).active;
  process.stdout.write(`${JSON.stringify({ kind: 'answers', answers })}\n`);
}

async function main() {
  await client.start();
  await introspectAll();
  report('ready');
  let buffered = '';
  process.stdin.on('data', async (chunk) => {
    buffered += chunk;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i).trim();
      buffered = buffered.slice(i + 1);
      if (line === 'introspect') await introspectAll();
      if (line === 'stop') {
        await client.stop();
        process.exit(0);
      }
    }
  });
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
