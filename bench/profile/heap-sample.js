/**
 * Preloaded into the service (LEDGER_NODE_ARGS="-r ./bench/profile/heap-sample.js"): V8's sampling heap profiler
 * over every allocation, the ones already collected included, from SIGUSR2 until SIGTERM, written to
 * .tmp/heap/<pid>.heapprofile at the repository's root. rate-cpu.ts sends SIGUSR2 when its measured run starts (HEAPSAMPLE=1), so the
 * profile holds what the revocations allocated and none of the start-up or the relays' catch-up. It measures what GC
 * has to clean up, which a CPU profile shows only as GC time, and it does not move with the machine's load.
 *
 *   HEAPSAMPLE=1 LEDGER_NODE_ARGS="-r ./bench/profile/heap-sample.js" \
 *     node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/profile/rate-cpu.ts 200 10
 *   node bench/profile/summarize-heapprofile.js .tmp/heap/<pid>.heapprofile 30
 */
const inspector = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new inspector.Session();
session.connect();
process.on('SIGUSR2', () =>
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
);
process.once('SIGTERM', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (!error) {
      const dir = join(__dirname, '..', '..', '.tmp', 'heap');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
    }
    // The service's own SIGTERM handler runs beside this one and exits once it has closed, well after this.
  });
});
