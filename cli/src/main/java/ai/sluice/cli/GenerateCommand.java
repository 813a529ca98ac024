package ai.sluice.cli;

import ai.sluice.core.tensor.KvType;

import ai.sluice.core.model.Generator;
import ai.sluice.core.sampling.Sampler;
import ai.sluice.core.sampling.SamplingParams;
import ai.sluice.core.tokenizer.StreamDecoder;
import ai.sluice.core.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice generate}: continues a prompt on one sequence. Text streams to stdout as tokens
 * arrive; {@code --json} prints one object at the end instead.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a model (one sequence, streamed to stdout).")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "Prompt text (default: empty, BOS only).")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K", description = "0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P", description = "1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P", description = "0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "R", description = "1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: a random one); same seed, same output.")
    Long seed;

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-generation tokens.")
    boolean ignoreEos;

    @Option(names = "--context", defaultValue = "0", paramLabel = "N", description = "KV cache length (default: prompt + max tokens, at most the model's).")
    int context;

    @Option(names = "--json", description = "Print {\"prompt_tokens\":[...],\"tokens\":[...],\"text\":\"...\"} instead of streaming.")
    boolean json;

    /** Penalties look back this many tokens, as llama.cpp's default repeat-last-n. */
    private static final int PENALTY_WINDOW = 64;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must be >= 0, got " + maxTokens);
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplingParams params = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 0f, 0f, s);
        try (LoadedModel m = model.load()) {
            Tokenizer tokenizer = m.tokenizer();
            int[] promptIds = tokenizer.encode(prompt, true, false);
            if (promptIds.length == 0) {
                throw new IllegalArgumentException("the prompt is empty and the model adds no BOS token: give --prompt");
            }
            int modelContext = m.model().config().shape().contextLength();
            int needed = promptIds.length + maxTokens;
            int ctx = context > 0 ? context : modelContext > 0 ? Math.min(needed, modelContext) : needed;
            if (promptIds.length > ctx) {
                throw new IllegalArgumentException("the prompt has " + promptIds.length
                        + " tokens but the context holds " + ctx + "; shorten it or raise --context");
            }
            int[] generated = new int[maxTokens];
            int count = 0;
            PrintStream out = System.out;
            int[] promptText = withoutBos(tokenizer, promptIds);
            StreamDecoder decoder = tokenizer.newStreamDecoder();
            for (int id : promptText) {
                decoder.push(id); // prime, so the first generated token is decoded in context
            }
            try (Generator generator = m.model().newGenerator(ctx, model.kvTypeOr(KvType.F32))) {
                Sampler sampler = new Sampler(params, m.model().vocabSize());
                int[] history = new int[PENALTY_WINDOW];
                float[] logits = maxTokens > 0 ? generator.prompt(promptIds) : null;
                while (count < maxTokens) {
                    int historyLength = fillHistory(promptIds, generated, count, history);
                    int token = sampler.sample(logits, history, historyLength);
                    generated[count++] = token;
                    if (!ignoreEos && tokenizer.vocabulary().isEndOfGeneration(token)) {
                        break;
                    }
                    if (!json) {
                        out.print(decoder.push(token));
                        out.flush();
                    }
                    if (count == maxTokens || generator.position() == ctx) {
                        break;
                    }
                    logits = generator.next(token);
                }
            }
            int[] tokens = Arrays.copyOf(generated, count);
            if (json) {
                printJson(out, promptIds, tokens, continuation(tokenizer, promptText, tokens));
            } else {
                out.println(decoder.flush());
            }
        }
        return 0;
    }

    /** The last tokens of prompt + generated, newest last, into {@code history}; returns how many. */
    private static int fillHistory(int[] prompt, int[] generated, int count, int[] history) {
        int n = Math.min(history.length, prompt.length + count);
        for (int i = 0; i < n; i++) {
            int idx = prompt.length + count - n + i;
            history[i] = idx < prompt.length ? prompt[idx] : generated[idx - prompt.length];
        }
        return n;
    }

    /**
     * The prompt as text tokens: without its leading BOS, which llama.cpp's detokenizer treats as
     * the start of text (so a SentencePiece leading space after it is dropped, not kept).
     */
    private static int[] withoutBos(Tokenizer tokenizer, int[] prompt) {
        int bos = tokenizer.vocabulary().bosId();
        return prompt.length > 0 && prompt[0] == bos ? Arrays.copyOfRange(prompt, 1, prompt.length) : prompt;
    }

    /** detokenize(prompt + generated) minus detokenize(prompt), both without BOS, as llama.cpp's oracle defines it. */
    static String continuation(Tokenizer tokenizer, int[] prompt, int[] generated) {
        String before = tokenizer.decode(prompt);
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        String full = tokenizer.decode(all);
        return full.startsWith(before) ? full.substring(before.length()) : tokenizer.decode(generated);
    }

    private static void printJson(PrintStream out, int[] prompt, int[] tokens, String text) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.putPOJO("prompt_tokens", prompt);
        o.putPOJO("tokens", tokens);
        o.put("text", text);
        out.println(mapper.writeValueAsString(o));
    }
}
