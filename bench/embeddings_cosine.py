#!/usr/bin/env python3
# Cosine between Sluice's /v1/embeddings and llama.cpp's llama-embedding for the same inputs.
import json, subprocess, sys, time, urllib.request, math, os
model, pooling, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
inputs = ["Once upon a time", "The little dog ran to the park.", "Lily and Tom went to see the big tree",
          "hello world", "A cat sat on the mat and looked at the sun"]
lb = os.environ["LLAMA_EMBEDDING"]
# llama-embedding prints its JSON one number at a time through llama.cpp's logger, whose worker thread
# writes queued lines in the background and is never joined (common_log_main leaks it on purpose), so
# a run can exit 0 with the end of its output still queued: the JSON stops mid-number. Such a run is
# detected (the JSON must parse and hold one vector per input, all of the same length) and repeated.
ATTEMPTS = 8
def llama_embeddings():
    failures = []
    for attempt in range(ATTEMPTS):
        out = subprocess.run([lb, "-m", model, "-p", "\n".join(inputs), "--pooling", pooling, "--embd-normalize", "2",
                              "--embd-output-format", "json", "-t", "2", "--embd-separator", "\n", "-c", "512",
                              "-b", "512", "-ub", "512"], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"llama-embedding failed (exit {out.returncode}): {out.stderr[-2000:]}")
        start = out.stdout.find("{")
        try:
            data = json.loads(out.stdout[start:])["data"] if start >= 0 else None
        except ValueError as e:
            data, why = None, f"JSON cut off or malformed ({e}); output ends with {out.stdout[-60:]!r}"
        else:
            why = "no JSON in the output" if data is None else None
        if data is not None:
            ref = [d["embedding"] for d in data]
            if len(ref) == len(inputs) and len({len(v) for v in ref}) == 1:
                return ref, attempt
            why = f"{len(ref)} vectors for {len(inputs)} inputs, lengths {sorted({len(v) for v in ref})}"
        failures.append(why)
    sys.exit(f"llama-embedding's output was incomplete in all {ATTEMPTS} runs: " + "; ".join(dict.fromkeys(failures)))
ref, retries = llama_embeddings()
env = dict(os.environ, SLUICE_REBUILD="0")
args = [os.environ["SLUICE"], "serve", "--model", model, "--port", str(port), "--no-warmup"]
if "stories" in model:
    args += ["--pooling", pooling]
p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1); break
        except Exception:
            time.sleep(0.2)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/embeddings", data=json.dumps({"input": inputs}).encode(),
                                 headers={"Content-Type": "application/json"})
    got = [d["embedding"] for d in json.load(urllib.request.urlopen(req))["data"]]
finally:
    p.terminate(); p.wait()
if len(got) != len(inputs) or len(got[0]) != len(ref[0]):
    sys.exit(f"sluice gave {len(got)} vectors of {len(got[0])} for {len(inputs)} inputs; llama.cpp's have {len(ref[0])}")
def cos(a, b):
    return sum(x*y for x, y in zip(a, b)) / math.sqrt(sum(x*x for x in a) * sum(y*y for y in b))
cs = [cos(a, b) for a, b in zip(got, ref)]
print(f"{os.path.basename(model)} pooling {pooling}: dims {len(got[0])} vs {len(ref[0])}; cosine per input " +
      " ".join(f"{c:.7f}" for c in cs) + f"; min {min(cs):.7f} (1 - min = {1 - min(cs):.1e})"
      + (f"; llama-embedding rerun {retries}x (output cut off)" if retries else ""))
