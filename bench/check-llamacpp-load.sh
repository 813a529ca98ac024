#!/usr/bin/env bash
# Checks that llama.cpp loads a GGUF file and generates from it: installs node-llama-cpp (prebuilt
# CPU binaries of llama.cpp) from npm into an ignored folder, loads MODEL, greedily generates a few
# tokens from PROMPT and prints them. Not part of CI (needs npm and a download of ~100 MB once).
#
#   bench/check-llamacpp-load.sh MODEL.gguf [PROMPT] [N_TOKENS]
#
# Environment: SLUICE_LLAMACPP_DIR (default bench/out/llamacpp) is where node-llama-cpp is installed;
# NODE_LLAMA_CPP_VERSION (default 3.22.1, the llama.cpp release of ../shared/oracle).
# Exit status 0 when the model loaded and produced at least one token.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${1:?usage: $0 MODEL.gguf [PROMPT] [N_TOKENS]}"
prompt="${2:-Once upon a time}"
n="${3:-24}"
[ -f "$model" ] || { echo "check-llamacpp-load: no such file: $model" >&2; exit 1; }
model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
dir="${SLUICE_LLAMACPP_DIR:-$here/out/llamacpp}"
version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
command -v npm >/dev/null || { echo "check-llamacpp-load: npm is needed" >&2; exit 1; }

mkdir -p "$dir"
if [ ! -d "$dir/node_modules/node-llama-cpp" ]; then
  echo "check-llamacpp-load: installing node-llama-cpp@$version into $dir" >&2
  [ -f "$dir/package.json" ] || echo '{"private": true, "type": "module"}' > "$dir/package.json"
  # Prebuilt binaries only: never fall back to compiling llama.cpp during the install.
  (cd "$dir" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --loglevel=error \
      "node-llama-cpp@$version" >&2)
fi

cat > "$dir/check.mjs" <<'JS'
import {getLlama, LlamaCompletion} from "node-llama-cpp";

const [modelPath, prompt, n] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath});
const context = await model.createContext({contextSize: 256});
const completion = new LlamaCompletion({contextSequence: context.getSequence()});
const ids = [];
const text = await completion.generateCompletion(prompt, {
    maxTokens: Number(n), temperature: 0,
    onToken: tokens => ids.push(...tokens),
});
console.log(`llama.cpp loaded ${modelPath}`);
console.log(`  ${model.size} bytes, ${model.fileInfo.tensorInfo?.length ?? "?"} tensors, ` +
    `file_type ${model.fileInfo.metadata?.general?.file_type ?? "?"}`);
console.log(`  greedy ${ids.length} tokens: ${JSON.stringify(ids)}`);
console.log(`  text: ${JSON.stringify(prompt + text)}`);
await context.dispose();
await model.dispose();
await llama.dispose();
process.exit(ids.length > 0 ? 0 : 2);
JS
exec node "$dir/check.mjs" "$model" "$prompt" "$n"
