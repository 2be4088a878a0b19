/**
 * Kubernetes resource quantities as numbers. Integer units (millicores, KiB) keep quota
 * arithmetic exact: 10 pods of 100m fit 1 CPU, with no floating-point remainder.
 */

const CPU = /^(\d+(?:\.\d+)?)(m)?$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/;
const KIB_PER_UNIT: Record<string, number> = { Ki: 1, Mi: 1024, Gi: 1024 ** 2, Ti: 1024 ** 3 };

/** A CPU quantity in millicores (`500m` -> 500, `2` -> 2000); NaN when it is not a CPU quantity. */
export function millicores(q: string): number {
  const m = CPU.exec(q);
  if (!m) return NaN;
  return Math.round(Number(m[1]) * (m[2] ? 1 : 1000));
}

/** A memory quantity in KiB (`512Mi` -> 524288); NaN when it is not a binary memory quantity. */
export function kibibytes(q: string): number {
  const m = MEMORY.exec(q);
  if (!m) return NaN;
  return m[2] ? Math.round(Number(m[1]) * KIB_PER_UNIT[m[2]]) : Number(m[1]) / 1024;
}

/** Kubernetes CPU quantity in cores (`500m` -> 0.5). */
export function cpuCores(q: string): number {
  return millicores(q) / 1000;
}

/** Kubernetes memory quantity in GiB (`512Mi` -> 0.5). */
export function memoryGiB(q: string): number {
  return kibibytes(q) / 1024 ** 2;
}

/** Millicores as a quantity (`1500` -> `1500m`, `2000` -> `2`). */
export function formatCpu(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** KiB as a quantity in the largest binary unit that keeps it whole (`1048576` -> `1Gi`). */
export function formatMemory(kib: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi'] as const) {
    if (kib % KIB_PER_UNIT[unit] === 0) return `${kib / KIB_PER_UNIT[unit]}${unit}`;
  }
  return `${kib}Ki`;
}
