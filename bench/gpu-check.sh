#!/usr/bin/env bash
# Measure the GPU job host on a Linux machine with a real GPU: headless Chromium on the GPU (ANGLE on Vulkan),
# the gates and self-test (`nasw doctor`), then `npm run bench` for webgl / webgpu against wasm and cpu.
#
#   bench/gpu-check.sh                      # tiny, mnist and cifar configurations
#   bench/gpu-check.sh --configs tiny       # extra arguments go to `npm run bench`
#
# Environment:
#   NASW_CHROMIUM=/path/to/chrome           Chromium or Chrome to use (default: the first of chromium, chromium-browser, google-chrome*)
#   NASW_CHROMIUM_ARGS="…"                  extra switches, e.g. "--use-angle=gl-egl" where Vulkan is missing, or
#                                           "--enable-features=Vulkan,VulkanFromANGLE --disable-vulkan-surface" on NVIDIA headless
#   MACHINE=label                           the machine label in the bench JSON (default: hostname-gpu)
# Output: the doctor report, the bench table, and bench/results/<time>-<machine>.json. Exit status 2 when
# Chromium only found a software renderer: the figures would not be a GPU's.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${NASW_CHROMIUM:-}"
if [ -z "$CHROMIUM" ]; then
  for c in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROMIUM="$(command -v "$c")"; break; fi
  done
fi
if [ -z "$CHROMIUM" ]; then
  echo "no Chromium or Chrome found: apt-get install chromium (Debian/Ubuntu) or set NASW_CHROMIUM" >&2
  exit 1
fi
export NASW_CHROMIUM="$CHROMIUM"
# --use-angle=vulkan --enable-features=Vulkan --ignore-gpu-blocklist (src/main/jobs/chromium-host/launchers.ts)
export NASW_CHROMIUM_PROFILE=gpu

echo "== machine"
uname -a
"$CHROMIUM" --version 2>/dev/null || true
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "(no nvidia-smi)"
command -v vulkaninfo >/dev/null 2>&1 && (vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverName|apiVersion' || true) || echo "(no vulkaninfo: apt-get install vulkan-tools to see the Vulkan devices)"

[ -d node_modules ] || npm ci --no-audit --no-fund

echo
echo "== the GPU job host's gates and self-test (nasw doctor)"
node bin/nasw.js doctor --no-compute --json > /tmp/nasw-gpu-doctor.json
node -e '
  const r = require("/tmp/nasw-gpu-doctor.json").chromiumHost;
  for (const b of r.backends) {
    const g = b.gates || {};
    console.log(`${b.backend}: ${g.kind || "unavailable"} — ${g.device || b.error || ""}${g.selfTest ? ` — self-test ${g.selfTest.passed ? "passed" : "FAILED"} (${g.selfTest.maxRelative.toExponential(2)})` : ""}${b.usable ? "" : ` — not usable: ${b.refused || b.error}`}`);
  }
  console.log(`auto: ${r.auto}`);
  const webgl = r.backends.find((b) => b.backend === "webgl");
  if (!webgl || !webgl.gates || webgl.gates.kind !== "gpu") {
    console.error("\nChromium found no GPU (software renderer): try NASW_CHROMIUM_ARGS=\"--use-angle=gl-egl\" or \"--enable-features=Vulkan,VulkanFromANGLE --disable-vulkan-surface\", a Chrome build, or check the driver (vulkaninfo).");
    process.exit(2);
  }
'

echo
echo "== bench: the Chromium host's backends against wasm and cpu"
npm run bench -- --backends webgl,webgpu,chromium-wasm,wasm,cpu --machine "${MACHINE:-$(hostname)-gpu}" "$@"
