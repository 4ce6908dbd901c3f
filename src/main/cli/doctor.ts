// `nasw doctor`: the compute backends and the GPU path, as text or --json.
import type { Command } from 'commander';
import { formatGpuHostDoctor, runGpuHostDoctor } from '../jobs/chromium-host/doctor-section';
import { formatDoctor, nodeDoctorDeps, runDoctor } from '../jobs/doctor';
import { output } from './output';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('which compute backends load and which `auto` picks; tfjs-node-gpu, libtensorflow, CUDA/cuDNN, the GPU, and whether work really runs on it')
    .option('--no-compute', 'skip timing a matMul on the tensorflow backend')
    .option('--no-chromium', 'skip the GPU job host (webgl/webgpu in Chromium)')
    .option('--no-self-test', 'GPU job host: gates only, without the one-step gradient self-test against cpu')
    .option('--json', 'JSON output', false)
    .action(async (flags: { compute: boolean; chromium: boolean; selfTest: boolean; json: boolean }) => {
      const report = await runDoctor(nodeDoctorDeps(flags.compute));
      // The GPU job host's section (src/main/jobs/chromium-host/doctor-section.ts): gates and self-test per backend.
      const chromiumHost = flags.chromium ? await runGpuHostDoctor({ selfTest: flags.selfTest, log: (l) => process.stderr.write(`${l}\n`) }) : null;
      const text = chromiumHost ? `${formatDoctor(report)}\n\n${formatGpuHostDoctor(chromiumHost)}` : formatDoctor(report);
      output(flags.json).result(chromiumHost ? { ...report, chromiumHost } : report, text);
    });
}
