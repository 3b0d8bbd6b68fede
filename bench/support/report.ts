import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Figure, WorkloadResult } from '../workload';
import { round, spread, Spread } from './stats';

/** A figure as the table and the history keep it: the rounds, and their medians and spreads. */
export interface Summary {
  ledger: Spread;
  limit?: Spread;
  ratio?: Spread;
  met?: boolean;
}

export function summarise(f: Figure): Summary {
  const ledger = spread(f.ledger);
  const limit = f.limit && spread(f.limit.values);
  // Round by round: each ledger value is divided by the limit measured next to it, so a slow minute of the machine
  // that hit both of a pair cancels out; then the median over rounds.
  const ratios = f.limit && f.ratio ? f.ledger.map((v, i) => (f.ratio === '%' ? (100 * v) / f.limit!.values[i] : v / f.limit!.values[i])) : undefined;
  const ratio = ratios && spread(ratios);
  const read = f.target && (f.target.of === 'ratio' ? ratio?.median : ledger.median);
  const met = f.target && read !== undefined && Number.isFinite(read) ? (f.target.higher ? read >= f.target.value : read <= f.target.value) : undefined;
  return { ledger, limit, ratio, met };
}

const num = (n: number) => {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return round(n, digits).toLocaleString('en-US', { maximumFractionDigits: digits });
};
const cell = (s: Spread, unit: string) => (s.min === s.max ? `${num(s.median)} ${unit}` : `${num(s.median)} (${num(s.min)}–${num(s.max)}) ${unit}`);
const ratioCell = (s: Spread, kind: '%' | 'x') => (kind === '%' ? `${num(s.median)} % (${num(s.min)}–${num(s.max)})` : `${num(s.median)}× (${num(s.min)}–${num(s.max)})`);

function targetCell(f: Figure): string {
  if (!f.target) return '';
  const dir = f.target.higher ? '≥' : '≤';
  if (f.target.of === 'value') return `${dir} ${num(f.target.value)} ${f.unit}`;
  return f.ratio === '%' ? `${dir} ${f.target.value} % of limit` : `${dir} ${f.target.value}× limit`;
}

/** ONE table for the whole run: figure | ledger | limit | ratio | target | met | load before each round. */
export function printTable(results: WorkloadResult[], out: (line: string) => void): void {
  const header = ['figure', 'ledger median (spread)', 'limit median (spread)', 'ratio', 'target', 'met', 'load 1m per round'];
  const rows: Array<string[] | string> = [header];
  for (const r of results) {
    rows.push(`${r.workload}: ${r.shape}`);
    for (const f of r.figures) {
      const s = summarise(f);
      rows.push([
        f.name,
        cell(s.ledger, f.unit),
        s.limit ? `${cell(s.limit, f.unit)} ${f.limit!.name}` : '',
        s.ratio ? ratioCell(s.ratio, f.ratio!) : '',
        targetCell(f),
        s.met === undefined ? '' : s.met ? 'yes' : 'NO',
        f.load.map((l) => l.toFixed(1)).join(' / '),
      ]);
    }
    if (r.notes?.error) rows.push([`FAILED: ${String(r.notes.error).slice(0, 100)}`, '', '', '', '', 'NO', '']);
  }
  const table = rows.filter((row): row is string[] => Array.isArray(row));
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const total = widths.reduce((a, b) => a + b + 3, -3);
  const line = (row: string[]) => row.map((c, j) => c.padEnd(widths[j])).join(' | ');
  for (const row of rows) {
    if (row === header) {
      out(line(header));
      out(widths.map((w) => '-'.repeat(w)).join('-+-'));
    } else if (typeof row === 'string') for (const part of wrap(`── ${row}`, Math.max(total, 100))) out(part);
    else out(line(row));
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '   ';
    }
    line += (line.trim() ? ' ' : '') + word;
  }
  return [...lines, line];
}

interface HistoryEntry {
  commit: string;
  at: string;
  [key: string]: unknown;
}

/**
 * bench/results.json is the history of runs, newest last: every run appends one entry and never rewrites the
 * others, so a figure can be followed across commits. A file from before the history (one run at the top level)
 * becomes its first entry.
 */
export function appendHistory(file: string, entry: HistoryEntry): number {
  let runs: HistoryEntry[] = [];
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8'));
    runs = Array.isArray(old.runs) ? old.runs : [old];
  }
  runs.push(entry);
  writeFileSync(file, JSON.stringify({ runs }, null, 2) + '\n');
  return runs.length;
}
