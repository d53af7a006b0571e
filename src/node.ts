/**
 * deltastn for Node: everything in the browser-safe API plus what reads or writes files — datasets
 * (embedded MNIST, IDX / Fashion-MNIST, CIFAR-10 binaries), checkpoints, and the `tune` run.
 * Import as `deltastn/node`.
 */
export * from './index.js';
export { batchCount, batches, classCounts, createDataset, DatasetFormatError, DatasetMissingError, gather, shuffledIndices, splitCounts, splitDataset, subset, type BatchOptions, type Dataset, type DatasetSplit, type SplitSizes, type SplitSpec } from './data/dataset.js';
export { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IDX_UBYTE, idxToDataset, isGzip, parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { loadMnist, MNIST, MNIST_SPLIT, mnistPackageDigitsDir, mnistSplit, type MnistOptions } from './data/mnist.js';
export { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST, FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_LOCATIONS, FASHION_MNIST_FILES, findFashionMnist, loadFashionMnist, type FashionMnist, type FashionMnistOptions, type FashionMnistPaths } from './data/fashionMnist.js';
export { CIFAR10, CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch, type Cifar10, type Cifar10Options } from './data/cifar10.js';
export { batchify, bpttWindow, buildVocabulary, detokenize, loadTextCorpus, splitText, TEXT_CORPORA, tokenize, UNK, windowCount, type TextCorpusName, type TextSection, type TextSplit, type TextSplitOptions, type TokenStreams, type Vocabulary } from './data/text.js';
export { LanguageModel, LanguageModelTrainer, LM_HYPERPARAMETERS, languageModelSpace, languageModelSpecs, type LanguageModelEpochLog, type LanguageModelOptions, type LanguageModelTrainerConfig, type TextData, type TextEvaluation } from './nn/languageModel.js';
export { StnLstm, type LstmState, type StnLstmOptions } from './nn/lstm.js';
export { CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './nn/checkpoint.js';
export { appendLine, checkOutputDirectory, checkOutputFile, createOutputDirectory, isFile, OutputPathError, readJsonLines, readJsonStateFile, readStateText, reasonOf, StateFileError, statOrNull, truncateFile, writeDurable, writeFileAtomic } from './stateFiles.js';
export { buildModel, loadData, parseHparams, runTune, resumeConfig, type TuneConfig, type TuneResult, type TuneRunOptions } from './cli/tune.js';
export { deriveSeed, executeJob, HYPERNETWORK_METHODS, isSearchMethod, isStudyMethod, isTrialRecord, planTrials, readStudyConfig, readTrials, runStudy, SEARCH_METHODS, STUDY_METHODS, studyPlots, studyTable, studyTableMarkdown, summarizeStudy, validateStudyConfig, validationCurve, workerScript, writeStudyOutputs, type CurvePoint, type EpochPoint, type HypernetworkMethod, type MethodSummary, type ScheduleBand, type SearchMethod, type SeedOutcome, type Spread, type Stat, type StudyConfig, type StudyJob, type StudyMethod, type StudyOptions, type StudyPlot, type StudyResult, type StudySummary, type TrajectoryPoint, type TrialRecord, type WorkerReply } from './tune/study.js';
export { ARCH_GRADIENT_METHODS, ARCH_METHODS, archSearchTable, archSearchTableRows, archWeightPlots, archWorkerScript, edgeSoftmax, formatAccuracy, isArchRecord, MARKDOWN_MARKUP, PLAIN_MARKUP, randomTrial, randomTrials, readArchRecordFile, readArchRecords, readArchSearchConfig, retrain, runArchJob, runArchSearch, searchRun, summarizeArchSearch, validateArchSearchConfig, archRecordKey, isArchSearchConfig, joinArchStudy, plannedArchJobs, runArchStudyWorker, type ArchStudyStore, type ArchStudyWorkerOptions, type ArchJob, type ArchMethod, type ArchMethodSummary, type ArchRecord, type ArchSearchConfig, type ArchSearchOptions, type ArchSearchResult, type ArchSummaryConfig, type MeanStd, type RetrainResult, type SearchEpoch, type TableMarkup } from './tune/archSearch.js';
export { escapeHtml, inlineSvg, renderHtml, type ReportBlock, type ReportPage } from './report/html.js';
export { isSearchDir, runPage, searchPage, studyPage, writeReport } from './tune/reports.js';
export type { PoolReply } from './tune/pool.js';
export { bayesHistory, decodeTrialCheckpoint, defaultWorkerId, encodeTrialCheckpoint, openStudy, plannedTrials, runStudyWorker, runTrial, TrialAbandoned, type DataCache, type StudyEvent, type StudyThreadMessage, type StudyWorkerOptions, type StudyWorkerResult, type TrialCheckpoint, type TrialContext, type TrialRef } from './tune/study.js';
export { exportStudy, openStore, parseStorage, PostgresStudyStore, SqliteStudyStore, STUDY_DB, trialsCsv, trialsJsonl, type Claim, type ClaimLogEntry, type ExportResult, type PlannedTrial, type RecordKey, type StorageSpec, type StoredTrial, type StudyStore, type TrialCounts, type TrialState } from './tune/store/index.js';
export type { LanguageModelData, RunLogLine } from './tune/factory.js';
