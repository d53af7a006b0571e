/** Seeded synthetic image sets for the network-engine tests (not a test file). */
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/rng.js';

/** n 28×28 images with uniform pixels in [0, 1) and uniform labels in [0, classes), from `seed`. */
export function syntheticImages(n: number, seed: number, classes = 3): Dataset {
  const rng = new Rng(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform();
  return { name: `synthetic:${seed}`, images, labels: Int32Array.from({ length: n }, () => rng.int(0, classes - 1)), shape: [28, 28, 1], classes, size: n };
}
