/** SVG plots of the ridge and interaction experiments (the Jacobian and conditioning ones live with their experiments). */
import { lineChart } from '../report/plot.js';
import type { InteractionResult } from './interaction.js';
import type { RidgeExperimentResult } from './ridge.js';

/**
 * Two charts: |λ_t − λ*| of every method's hyper-descent on a log scale (each method levels off at its own
 * fixed point's distance from λ*; exact methods fall to rounding), and the online runs' λ over cycles.
 */
export function plotRidgeExperiment(result: RidgeExperimentResult): string[] {
  // Distances of exactly 0 cannot be drawn on a log axis: floor them at 1e-16, below float64 resolution of λ.
  const dist = (l: number): number => Math.max(Math.abs(l - result.lambdaStar), 1e-16);
  const descent = lineChart({
    title: `Ridge toy: hyper-descent to each method's fixed point (σ = ${result.scale})`,
    x: { label: 'hyper step' },
    y: { label: '|λ − λ*|', type: 'log' },
    series: result.methods.map((m) => ({ name: m.method, points: m.trajectory.filter(([t]) => t <= 200).map(([t, l]) => [t, dist(l)] as [number, number]) })),
  });
  if (result.online.length === 0) return [descent];
  const online = lineChart({
    title: `Ridge toy: online alternating algorithm (σ = ${result.scale})`,
    x: { label: 'cycle (5 train steps + 1 hyper step)' },
    y: { label: 'λ = log weight decay' },
    series: result.online.map((r) => ({ name: r.method, points: r.trajectory.map(([c, l]) => [c, l] as [number, number]) })),
    rules: [{ y: result.lambdaStar, label: `λ* = ${result.lambdaStar.toFixed(6)}` }],
  });
  return [descent, online];
}

/** λ over cycles, uncentered vs centered STN, one chart per hyper learning rate at the first start. */
export function plotInteractionExperiment(result: InteractionResult): string[] {
  const keys = [...new Set(result.runs.map((r) => `${r.start}|${r.hyperRate}`))];
  return keys.map((key) => {
    const [start, rate] = key.split('|').map(Number);
    const runs = result.runs.filter((r) => r.start === start && r.hyperRate === rate);
    return lineChart({
      title: `Interaction: λ from ${start}, hyper rate ${rate}, σ = ${result.scale}`,
      x: { label: 'cycle' },
      y: { label: 'λ' },
      series: runs.map((r) => ({ name: r.variant, points: r.trajectory.map(([c, l]) => [c, l] as [number, number]) })),
      rules: [{ y: result.lambdaStar, label: 'λ*' }],
    });
  });
}
