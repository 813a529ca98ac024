package ai.sluice.server.bench;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.sampling.SamplingParams;
import ai.sluice.core.synth.SynthConfig;
import ai.sluice.core.synth.SyntheticLlama;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.GenerationRequest;
import ai.sluice.engine.TokenConstraint;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.engine.Usage;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.server.api.OutputSpec;
import ai.sluice.server.serving.TokenizerCodec;
import ai.sluice.server.structured.ConstraintCompiler;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Structured output's cost: (1) time per token mask over a real vocabulary (the grammar's work:
 * cache lookups, the trie walk on a miss, checks of context-dependent tokens), cold and warm; (2)
 * decode tokens/s of 16 concurrent sequences with and without a nested JSON schema on one engine, in
 * interleaved rounds. The model is a random-weight Llama (110m shape, q8_0) written with the
 * vocabulary size of the real tokenizer, so masks are computed over real token strings. Not a test:
 * run with {@code java -cp <server test classpath> ai.sluice.server.bench.StructuredOutputBenchmark
 * TOKENIZER_GGUF [SECONDS_PER_ROUND] [ROUNDS]} (bench/structured-output.sh does); 0 seconds: masks only.
 */
public final class StructuredOutputBenchmark {
    static final String SCHEMA = """
            {"type": "object", "properties": {
               "name": {"type": "string", "maxLength": 24},
               "age": {"type": "integer"},
               "email": {"type": "string", "format": "email"},
               "address": {"type": "object", "properties": {
                   "street": {"type": "string", "maxLength": 32}, "city": {"type": "string", "maxLength": 20},
                   "country": {"enum": ["NO", "SE", "DK", "FI"]}}, "required": ["street", "city", "country"],
                   "additionalProperties": false},
               "orders": {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {
                   "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}, "total": {"type": "number"},
                   "paid": {"type": "boolean"}}, "required": ["id", "total", "paid"], "additionalProperties": false}},
               "note": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 40}]}},
             "required": ["name", "age", "address", "orders", "note"], "additionalProperties": false}
            """;
    private static final int STREAMS = 16;

    private StructuredOutputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path tokenizerFile = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Tokenizer tokenizer;
        try (GgufFile tf = GgufFile.open(tokenizerFile)) {
            tokenizer = Tokenizer.fromGguf(tf.metadata());
        }
        int vocab = tokenizer.vocabulary().size();
        TokenizerCodec codec = new TokenizerCodec(tokenizer, null);
        OutputSpec spec = new OutputSpec.JsonSchema("bench", new ObjectMapper().readTree(SCHEMA));
        System.out.printf(Locale.ROOT, "tokenizer %s: vocabulary %d%n", tokenizerFile.getFileName(), vocab);
        masks(codec, spec);
        if (seconds == 0) {
            return; // masks only
        }

        SynthConfig c = SynthConfig.L110M;
        SynthConfig shape = new SynthConfig("110m-v" + vocab, c.description(), c.dim(), c.layers(), c.heads(), c.kvHeads(),
                c.ffn(), vocab, c.contextLength(), c.ropeBase(), c.rmsEps());
        Path model = Path.of(System.getProperty("java.io.tmpdir"), "sluice-structured-bench-" + vocab + ".gguf");
        if (!Files.exists(model)) {
            SyntheticLlama.write(model, shape, GgmlType.Q8_0, 1);
        }
        try (GgufFile file = GgufFile.open(model); Backend backend = CpuBackend.sizedToCores()) {
            LlamaModel m = LlamaModel.load(file, backend);
            EngineConfig config = EngineConfig.builder().maxNumSeqs(STREAMS).maxBatchedTokens(512)
                    .kvCacheBytes(1L << 30).maxModelLen(1024).detokenizer(Detokenizer.of(tokenizer))
                    .eosTokenIds(Set.of(tokenizer.vocabulary().eosId())).build();
            try (Engine engine = Engine.start(new LlamaRunner(m), config)) {
                ConstraintCompiler compiler = new ConstraintCompiler(codec);
                TokenConstraint constraint = compiler.compile(spec);
                int[] prompt = tokenizer.encode("Write the customer record as JSON:", true, false);
                decode(engine, prompt, null, FREE_LENGTH, 3); // warm-up (JIT)
                // free text runs as long as the schema's answers do: a sequence that ends leaves its slot
                // empty until it is resubmitted and pays a prefill, so unequal lengths would be measured too
                int length = Math.max(1, (int) Math.round(decode(engine, prompt, constraint, 0, 3).meanLength()));
                double[] free = new double[rounds];
                double[] schema = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    Rate fr = decode(engine, prompt, null, length, seconds);
                    Rate sr = decode(engine, prompt, constraint, 0, seconds);
                    free[r] = fr.tokensPerSecond();
                    schema[r] = sr.tokensPerSecond();
                    System.out.printf(Locale.ROOT, "round %d: free %.1f tok/s (%.0f tokens per answer), schema %.1f tok/s"
                            + " (%.0f)%n", r, free[r], fr.meanLength(), schema[r], sr.meanLength());
                }
                double f = median(free);
                double s = median(schema);
                System.out.printf(Locale.ROOT, "decode, %d concurrent, median of %d x %d s: free %.1f tok/s, schema %.1f"
                        + " tok/s (%.1f%% slower)%n", STREAMS, rounds, seconds, f, s, 100 * (1 - s / f));
            }
        }
    }

    /** Time per mask along 16 random walks through the schema (random allowed tokens), cold then warm. */
    private static void masks(TokenizerCodec codec, OutputSpec spec) {
        long t0 = System.nanoTime();
        ConstraintCompiler compiler = new ConstraintCompiler(codec);
        compiler.vocabulary();
        long t1 = System.nanoTime();
        TokenConstraint constraint = compiler.compile(spec);
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "vocabulary trie %.0f ms, schema compile %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        for (String pass : List.of("cold", "warm")) {
            List<Long> times = new ArrayList<>();
            int vocab = codec.vocabularySize();
            long[] bits = new long[(vocab + 63) >>> 6];
            int[] allowed = new int[vocab];
            for (int seq = 0; seq < STREAMS; seq++) {
                Random random = new Random(seq);
                TokenConstraint.State state = constraint.start();
                for (int step = 0; step < 400; step++) {
                    long a = System.nanoTime();
                    state.allowed(bits);
                    times.add(System.nanoTime() - a);
                    int n = 0;
                    for (int t = 0; t < vocab; t++) {
                        if ((bits[t >>> 6] & (1L << t)) != 0) {
                            allowed[n++] = t;
                        }
                    }
                    if (n == 0) {
                        break; // complete: only the end may follow
                    }
                    state.accept(allowed[random.nextInt(n)]);
                }
            }
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] counters = compiler.tokenGrammar(spec).counters();
            System.out.printf(Locale.ROOT, "mask %s: %d masks, median %.3f ms, p99 %.3f ms, max %.1f ms"
                            + " (so far: %d trie walks, %d exact-cache misses, %d uncertain tokens checked)%n", pass,
                    sorted.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                    sorted[sorted.length - 1] / 1e6, counters[0], counters[1], counters[2]);
        }
    }

    /** Generated tokens per second, and the mean length of the answers that finished. */
    private record Rate(double tokensPerSecond, double meanLength) {
    }

    /** Free text before the schema's answer length is known: llama.cpp's and vLLM's usual benchmark length. */
    private static final int FREE_LENGTH = 128;

    /**
     * Keeps 16 sequences in flight for {@code seconds}, each resubmitted when it ends: with
     * {@code constraint} until the schema's answer is complete (at most 400 tokens), else
     * {@code freeLength} tokens of free text.
     */
    private static Rate decode(Engine engine, int[] prompt, TokenConstraint constraint, int freeLength, int seconds)
            throws Exception {
        AtomicLong tokens = new AtomicLong();
        AtomicLong finished = new AtomicLong();
        AtomicLong finishedTokens = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong seeds = new AtomicLong();
        Object done = new Object();
        int[] inFlight = {0};
        Runnable[] submit = new Runnable[1];
        submit[0] = () -> {
            GenerationRequest.Builder b = GenerationRequest.builder("b", prompt).maxTokens(constraint == null ? freeLength : 400)
                    .sampling(new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, seeds.incrementAndGet()));
            if (constraint == null) {
                b.ignoreEos(true);
            } else {
                b.constraint(constraint);
            }
            synchronized (done) {
                inFlight[0]++;
            }
            engine.submit(b.build(), new GenerationListener() {
                @Override
                public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
                    tokens.incrementAndGet();
                }

                @Override
                public void onFinish(FinishReason reason, String finalText, Usage usage) {
                    finished.incrementAndGet();
                    finishedTokens.addAndGet(usage.completionTokens());
                    synchronized (done) {
                        inFlight[0]--;
                        done.notifyAll();
                    }
                    if (running.get()) {
                        Thread.ofVirtual().start(submit[0]);
                    }
                }
            });
        };
        for (int i = 0; i < STREAMS; i++) {
            submit[0].run();
        }
        long start = System.nanoTime();
        long startTokens = tokens.get();
        Thread.sleep(seconds * 1000L);
        long n = tokens.get() - startTokens;
        double elapsed = (System.nanoTime() - start) / 1e9;
        running.set(false);
        synchronized (done) {
            while (inFlight[0] > 0) {
                done.wait(100);
            }
        }
        return new Rate(n / elapsed, finished.get() == 0 ? 0 : (double) finishedTokens.get() / finished.get());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
