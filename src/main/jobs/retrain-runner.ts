// Runs (or resumes) a retrain in this process, writing its run folder as events arrive.
import fs from 'node:fs';
import { formatGenotype } from '../../shared/genotype-text';
import type { RetrainEpochMetrics, StepProgress } from '../../shared/metrics';
import type { RetrainConfig } from '../../shared/retrain-config';
import { runRetrain, type RetrainData, type RetrainEvent, type RetrainJob } from '../nas/retrain';
import { eventLoopTurn } from './event-loop-turn';
import { RunFolder, type CheckpointFile } from './run-folder';

export interface RetrainHooks {
  onStart?(info: { parameters: number; parametersWithAuxiliary: number; multiplyAdds: number; epoch: number; stepsPerEpoch: number }): void;
  onStep?(p: StepProgress): void;
  onEpoch?(m: RetrainEpochMetrics, ckpt: CheckpointFile): void;
  onStopped?(ckpt: CheckpointFile): void;
  shouldStop?(): boolean;
}

/**
 * Run (or, with `resume`, continue from the newest checkpoint) a retrain in `folder`: a checkpoint and
 * the metrics log after every epoch, the latest test evaluation (per-class accuracy, confusion matrix)
 * in evaluation.json, the network's counts in network.json.
 */
export async function runRetrainInFolder(opts: {
  folder: string;
  config: RetrainConfig;
  data: RetrainData;
  resume?: boolean;
  /** Resume from this checkpoint file (the job runner picks the newest one whose hash checks out). */
  resumeFrom?: string;
  /** A step event every N steps (default 1); a stop requested from the event loop is seen within N steps. */
  progressEvery?: number;
  hooks?: RetrainHooks;
  /** Where the engine runs (default: runRetrain in this process; the Chromium job host for webgl/webgpu). */
  engine?: (job: RetrainJob) => AsyncIterable<RetrainEvent>;
}): Promise<{ status: 'completed' | 'stopped'; history: RetrainEpochMetrics[]; lastCheckpoint?: CheckpointFile }> {
  const { config, data, hooks = {} } = opts;
  const resuming = opts.resume || opts.resumeFrom !== undefined;
  const folder = resuming && fs.existsSync(opts.folder)
    ? RunFolder.open(opts.folder)
    : RunFolder.create(opts.folder, config, { kind: 'retrain', createdAt: new Date().toISOString(), genotypeText: formatGenotype(config.genotype) });
  let resumeBytes: Uint8Array | undefined;
  if (opts.resumeFrom) resumeBytes = fs.readFileSync(opts.resumeFrom);
  else if (opts.resume) {
    const ckpts = folder.checkpoints();
    if (ckpts.length) resumeBytes = fs.readFileSync(ckpts[ckpts.length - 1]!.path);
  }
  const history: RetrainEpochMetrics[] = [];
  let last: CheckpointFile | undefined;
  for await (const ev of (opts.engine ?? runRetrain)({ config, data, resume: resumeBytes, shouldStop: hooks.shouldStop, progressEvery: opts.progressEvery })) {
    if (ev.type === 'start') {
      folder.writeJson('network.json', {
        genotype: config.genotype,
        genotypeText: formatGenotype(config.genotype),
        inputShape: data.train.shape,
        numClasses: data.train.numClasses,
        parameters: ev.parameters,
        parametersWithAuxiliary: ev.parametersWithAuxiliary,
        multiplyAdds: ev.multiplyAdds,
      });
      hooks.onStart?.({
        parameters: ev.parameters,
        parametersWithAuxiliary: ev.parametersWithAuxiliary,
        multiplyAdds: ev.multiplyAdds,
        epoch: ev.position.epoch,
        stepsPerEpoch: ev.stepsPerEpoch,
      });
    } else if (ev.type === 'step') {
      hooks.onStep?.(ev.progress);
    } else if (ev.type === 'epoch') {
      last = folder.writeCheckpoint(ev.position.epoch, ev.position.step, ev.checkpoint);
      history.push(ev.metrics);
      const prior = folder.readMetrics<RetrainEpochMetrics>().filter((e) => e.epoch < ev.metrics.epoch);
      folder.writeMetrics([...prior, ev.metrics]);
      folder.writeJson('evaluation.json', { epoch: ev.metrics.epoch, classNames: data.classNames, ...ev.evaluation });
      hooks.onEpoch?.(ev.metrics, last);
    } else if (ev.type === 'stopped') {
      last = folder.writeCheckpoint(ev.position.epoch, ev.position.step, ev.checkpoint);
      hooks.onStopped?.(last);
      return { status: 'stopped', history, lastCheckpoint: last };
    }
    // Let the stop flag's handlers run before the engine checks it at the next step.
    await eventLoopTurn();
  }
  return { status: 'completed', history, lastCheckpoint: last };
}
