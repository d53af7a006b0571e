/** SVG plots of the ridge and interaction experiments (the Jacobian and conditioning ones live with their experiments). */
import { lineChart } from '../../report/plot.js';
import type { InteractionResult } from './interaction.js';
import type { RidgeExperimentResult } from './ridge.js';

/** λ trajectories of every method (hyper-descent) with λ* as a reference line. */
export function plotRidgeExperiment(result: RidgeExperimentResult): string {
  const series = result.methods.map((m) => ({ name: m.method, points: m.trajectory.filter(([t]) => t <= 200).map(([t, l]) => [t, l] as [number, number]) }));
  return lineChart({
    title: `Ridge toy: λ trajectories (hyper-descent, σ = ${result.scale})`,
    x: { label: 'hyper step' },
    y: { label: 'λ = log weight decay' },
    series,
    rules: [{ y: result.lambdaStar, label: `λ* = ${result.lambdaStar.toFixed(6)}` }],
  });
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
