/**
 * deltastn for Node: everything in the browser-safe API plus what reads or writes files — datasets
 * (embedded MNIST, IDX / Fashion-MNIST, CIFAR-10 binaries), checkpoints, and the `tune` run.
 * Import as `deltastn/node`.
 */
export * from './index.js';
export * from './data/dataset.js';
export * from './data/idx.js';
export * from './data/mnist.js';
export * from './data/fashionMnist.js';
export * from './data/cifar10.js';
export * from './nn/checkpoint.js';
export { buildModel, loadData, parseHparams, runTune, resumeConfig, type TuneConfig, type TuneResult } from './cli/tune.js';
export * from './tune/study.js';
export * from './tune/archSearch.js';
export * from './report/html.js';
