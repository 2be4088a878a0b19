// Loaded with `node --require` by the benchmark: on exit, writes the process's wall time since
// start and peak resident memory to the file named by TENANTCTL_BENCH_RUSAGE.
import * as fs from 'fs';

const target = process.env.TENANTCTL_BENCH_RUSAGE;
const started = process.hrtime.bigint();
if (target) {
  process.on('exit', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    fs.writeFileSync(target, JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  });
}
