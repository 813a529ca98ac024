package ai.sluice.server.bench;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.GenerationRequest;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.engine.Usage;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.serving.EngineServedModel;
import ai.sluice.server.serving.TokenizerCodec;
import ai.sluice.server.http.AccessLog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tokens/s of 16 concurrent greedy streams, in-process (engine listener) against HTTP + SSE (JDK
 * client, one virtual thread per stream reading {@code data:} lines), on one engine. Not a test:
 * run with {@code java -cp <server test classpath> ai.sluice.server.bench.HttpOverheadBenchmark MODEL [STREAMS] [TOKENS] [ROUNDS]}.
 */
public final class HttpOverheadBenchmark {
    private HttpOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path modelPath = Path.of(args[0]);
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        try (GgufFile file = GgufFile.open(modelPath); Backend backend = CpuBackend.sizedToCores()) {
            Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
            LlamaModel model = LlamaModel.load(file, backend);
            EngineConfig config = EngineConfig.builder().maxNumSeqs(streams).maxBatchedTokens(512)
                    .kvCacheBytes(512L << 20).prefixCaching(false).detokenizer(Detokenizer.of(tokenizer))
                    .eosTokenIds(Set.of(tokenizer.vocabulary().eosId())).build();
            Engine engine = Engine.start(new LlamaRunner(model), config);
            EngineServedModel servedModel = new EngineServedModel(engine, new TokenizerCodec(tokenizer, null));
            SluiceServer server = SluiceServer.start(ServerConfig.defaults("bench", engine.maxModelLen()).withPort(0),
                    servedModel, new AccessLog(line -> { }));
            try {
                int[] prompt = tokenizer.encode("Once upon a time", true, false);
                int maxTokens = Math.min(tokens, engine.maxModelLen() - prompt.length - 1);
                HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
                String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
                // warm-up of both paths (JIT)
                inProcess(engine, prompt, streams, maxTokens);
                overHttp(http, url, streams, maxTokens);
                List<double[]> eng = new ArrayList<>();
                List<double[]> web = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    eng.add(inProcess(engine, prompt, streams, maxTokens));
                    web.add(overHttp(http, url, streams, maxTokens));
                }
                report(streams, maxTokens, eng, web);
            } finally {
                server.stop();
                servedModel.close();
            }
        }
    }

    /** {tokens/s, mean inter-token gap ms}. */
    private static double[] inProcess(Engine engine, int[] prompt, int streams, int maxTokens) throws Exception {
        CountDownLatch done = new CountDownLatch(streams);
        long[] count = new long[streams];
        double[] gapSum = new double[streams];
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            int k = i;
            long[] last = {0};
            engine.submit(GenerationRequest.builder("b" + i, prompt).maxTokens(maxTokens).ignoreEos(true).build(),
                    new GenerationListener() {
                        @Override
                        public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
                            long now = System.nanoTime();
                            if (last[0] != 0) {
                                gapSum[k] += (now - last[0]) / 1e6;
                            }
                            last[0] = now;
                            count[k]++;
                        }

                        @Override
                        public void onFinish(FinishReason reason, String finalText, Usage usage) {
                            done.countDown();
                        }
                    });
        }
        done.await();
        return summary(count, gapSum, System.nanoTime() - start);
    }

    private static double[] overHttp(HttpClient http, String url, int streams, int maxTokens) throws Exception {
        String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"ignore_eos\":true,\"stream\":true}";
        long[] count = new long[streams];
        double[] gapSum = new double[streams];
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int k = i;
                fs.add(pool.submit(() -> {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                            .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    HttpResponse<java.io.InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                        String line;
                        long last = 0;
                        while ((line = in.readLine()) != null) {
                            if (line.startsWith("data: {") && !line.contains("\"finish_reason\":\"")) {
                                long now = System.nanoTime();
                                if (last != 0) {
                                    gapSum[k] += (now - last) / 1e6;
                                }
                                last = now;
                                count[k]++;
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return summary(count, gapSum, System.nanoTime() - start);
    }

    private static double[] summary(long[] count, double[] gapSum, long nanos) {
        long total = 0;
        double gaps = 0;
        long n = 0;
        for (int i = 0; i < count.length; i++) {
            total += count[i];
            gaps += gapSum[i];
            n += Math.max(0, count[i] - 1);
        }
        return new double[] {total / (nanos / 1e9), gaps / Math.max(1, n), total};
    }

    private static void report(int streams, int maxTokens, List<double[]> eng, List<double[]> web) {
        double e = median(eng, 0);
        double w = median(web, 0);
        System.out.printf(Locale.ROOT, "streams=%d tokens/stream=%d rounds=%d%n", streams, maxTokens, eng.size());
        System.out.printf(Locale.ROOT, "in-process engine : %.0f tok/s (median), mean inter-token gap %.3f ms%n", e, median(eng, 1));
        System.out.printf(Locale.ROOT, "HTTP + SSE        : %.0f tok/s (median), mean inter-token gap %.3f ms%n", w, median(web, 1));
        System.out.printf(Locale.ROOT, "loss: %.1f %%, added per token (per stream): %.3f ms%n", 100 * (1 - w / e),
                median(web, 1) - median(eng, 1));
        for (int i = 0; i < eng.size(); i++) {
            System.out.printf(Locale.ROOT, "  round %d: engine %.0f tok/s, http %.0f tok/s (%.0f / %.0f tokens)%n", i,
                    eng.get(i)[0], web.get(i)[0], eng.get(i)[2], web.get(i)[2]);
        }
    }

    private static double median(List<double[]> xs, int idx) {
        double[] v = xs.stream().mapToDouble(x -> x[idx]).sorted().toArray();
        return v[v.length / 2];
    }
}
