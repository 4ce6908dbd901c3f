// What a retrain's run folder adds to its store record: the latest test evaluation and the built network's counts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluationSchema, networkCountsSchema, type EvaluationDto, type NetworkCountsDto } from '../../shared/api/dto';
import { jsonSafe } from './dispatch';

export const EVALUATION_FILE = 'evaluation.json';
export const NETWORK_FILE = 'network.json';

async function readJson(file: string): Promise<unknown> {
  try {
    return jsonSafe(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    // Not written yet (the first epoch is running), or being rewritten: the next reload gets it.
    return null;
  }
}

/** evaluation.json: per-class accuracy and the confusion matrix after the newest epoch; null if none (yet). */
export async function readEvaluation(folder: string | null): Promise<EvaluationDto | null> {
  if (!folder) return null;
  const parsed = evaluationSchema.safeParse(await readJson(path.join(folder, EVALUATION_FILE)));
  return parsed.success ? parsed.data : null;
}

/** network.json: parameters and multiply-adds of the network the retrain built. */
export async function readNetwork(folder: string | null): Promise<NetworkCountsDto | null> {
  if (!folder) return null;
  const raw = (await readJson(path.join(folder, NETWORK_FILE))) as Record<string, unknown> | null;
  if (!raw) return null;
  const parsed = networkCountsSchema.safeParse({
    parameters: raw.parameters,
    parametersWithAuxiliary: raw.parametersWithAuxiliary ?? raw.parameters,
    multiplyAdds: raw.multiplyAdds,
    inputShape: raw.inputShape,
    numClasses: raw.numClasses,
  });
  return parsed.success ? parsed.data : null;
}
