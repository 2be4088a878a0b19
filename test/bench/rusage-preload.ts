// Loaded with `node --require` by the benchmark: on exit, writes the process's wall time since
// start and peak resident memory to the file named by TENANTCTL_BENCH_RUSAGE.
import * as fs from 'fs';
import { performance } from 'perf_hooks';

const target = process.env.TENANTCTL_BENCH_RUSAGE;
if (target) {
  process.on('exit', () => {
    // performance.now() counts from the start of the process, so Node's own start-up (about
    // 0.1 s here, before this preload even runs) is included: it is part of what a user pays.
    const ms = performance.now();
    fs.writeFileSync(target, JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  });
}
