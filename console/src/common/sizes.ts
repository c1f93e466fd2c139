// Sizes as people read them: MB with one decimal from 1 MB on (1 MB = 10^6
// bytes, as storage is sold), KB below, plain bytes under 1 KB.
export function formatSize(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}
