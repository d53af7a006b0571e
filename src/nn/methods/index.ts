/**
 * The network engine's methods, one module each; the registry the trainer, the CLI and the studies read.
 * To add a method: implement {@link NetworkMethod} in a new module, add its name to `NnMethod`
 * (./context.ts) and one line here.
 */
import type { NetworkMethod, NnMethod } from './context.js';
import { darts1, darts2 } from './darts.js';
import { deltaStn, deltaStnLinearized } from './deltaStn.js';
import { fixed } from './fixed.js';
import { centeredStn, stn } from './stn.js';

export type { NetworkMethod, NnMethod, StepContext, StepSettings, TrainerData, TrainerState } from './context.js';
export { finiteDifferenceMixedProduct } from './darts.js';

/** Every method by name, in the order the CLI lists them. */
export const NETWORK_METHODS: Readonly<Record<NnMethod, NetworkMethod>> = Object.freeze({
  fixed,
  stn,
  'centered-stn': centeredStn,
  'delta-stn': deltaStn,
  'delta-stn-linearized': deltaStnLinearized,
  darts1,
  darts2,
});

/** The method names. */
export const NN_METHODS: readonly NnMethod[] = Object.keys(NETWORK_METHODS) as NnMethod[];

/** True for the DARTS methods (no hypernetwork: the weights are trained at λ, α moves by DARTS's gradient). */
export function isDarts(method: NnMethod): boolean {
  return NETWORK_METHODS[method].needsArchitecture;
}
