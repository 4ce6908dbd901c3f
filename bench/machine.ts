// What the figures were measured on: machine, load, software versions and the code's commit.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';

export interface MachineInfo {
  label: string;
  hostname: string;
  platform: string;
  release: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** 1-minute load average when the run started: > 0 means other work shared the cores. */
  loadAverageAtStart: number;
}

export interface VersionInfo {
  node: string;
  tfjs: Record<string, string>;
  git: { commit: string | null; dirtyFiles: number | null };
}

export function machineInfo(label?: string): MachineInfo {
  const cpus = os.cpus();
  const cpuModel = cpus[0]?.model.trim() ?? 'unknown CPU';
  return {
    label: label ?? `${cpuModel.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase()}-${cpus.length}c`,
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.arch()}`,
    release: os.release(),
    cpuModel,
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg()[0]!,
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function versionInfo(): Promise<VersionInfo> {
  const tfjs: Record<string, string> = { ...(tf.version as Record<string, string>) };
  try {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { version_wasm?: string };
    if (wasm.version_wasm) tfjs['tfjs-backend-wasm'] = wasm.version_wasm;
  } catch {
    // not installed: the table says which backends ran
  }
  const status = git(['status', '--porcelain']);
  return { node: process.version, tfjs, git: { commit: git(['rev-parse', 'HEAD']), dirtyFiles: status === null ? null : status.split('\n').filter(Boolean).length } };
}
