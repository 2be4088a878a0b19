// Loaded with `node --require` by the benchmark: on exit, writes the process's wall time since
// start, CPU time (user and system, every thread) and peak resident memory to the file named by
// TENANTCTL_BENCH_RUSAGE.
import * as fs from 'fs';
import { performance } from 'perf_hooks';

const target = process.env.TENANTCTL_BENCH_RUSAGE;
if (target) {
  process.on('exit', () => {
    // performance.now() counts from the start of the process, so Node's own start-up (about
    // 0.1 s here, before this preload even runs) is included: it is part of what a user pays.
    const ms = performance.now();
    const usage = process.resourceUsage();
    fs.writeFileSync(target, JSON.stringify({ ms, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMiB: usage.maxRSS / 1024 }));
  });
}
