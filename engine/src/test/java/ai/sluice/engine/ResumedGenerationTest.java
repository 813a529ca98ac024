package ai.sluice.engine;

import ai.sluice.core.sampling.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request resumed after the first k tokens of a run continues exactly as the run did: same tokens,
 * and the text already sent plus the continuation's text is the run's text, for every cut.
 */
class ResumedGenerationTest {
    private static final int TOKENS = 40;
    private static Stories260K stories;
    private static Engine engine;
    private static int[] prompt;

    @BeforeAll
    static void start() {
        stories = Stories260K.open();
        engine = Engine.start(new LlamaRunner(stories.model), EngineConfig.builder().kvCacheBytes(16L << 20)
                .maxNumSeqs(8).maxBatchedTokens(256).detokenizer(Detokenizer.of(stories.tokenizer))
                .eosTokenIds(Set.of(stories.tokenizer.vocabulary().eosId())).build());
        prompt = stories.tokenizer.encode("Once upon a time, there was a little", true, false);
    }

    @AfterAll
    static void stop() {
        engine.close();
        stories.close();
    }

    /** What one run sent: each token with its text delta, then the finish. */
    static final class Run implements GenerationListener {
        final List<Integer> tokens = new ArrayList<>();
        final List<String> deltas = new ArrayList<>();
        final CompletableFuture<FinishReason> finish = new CompletableFuture<>();
        volatile String finalText;
        volatile Usage usage;

        @Override
        public synchronized void onToken(int token, String textDelta, TokenLogprobs logprobs) {
            tokens.add(token);
            deltas.add(textDelta);
        }

        @Override
        public synchronized void onFinish(FinishReason reason, String text, Usage u) {
            finalText = text;
            usage = u;
            finish.complete(reason);
        }

        FinishReason await() {
            try {
                return finish.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the request did not finish", e);
            }
        }

        synchronized int[] firstTokens(int k) {
            return tokens.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
        }

        /** The text a client had after the events of the first k tokens. */
        synchronized String textThrough(int k) {
            return String.join("", deltas.subList(0, k));
        }

        synchronized String text() {
            return String.join("", deltas) + finalText;
        }
    }

    private static Run run(GenerationRequest.Builder request) {
        Run r = new Run();
        engine.submit(request.build(), r);
        r.await();
        return r;
    }

    private static GenerationRequest.Builder request(SamplingParams sampling, List<String> stops) {
        return GenerationRequest.builder("r", prompt).sampling(sampling).maxTokens(TOKENS).ignoreEos(true)
                .stopStrings(stops);
    }

    private static void assertResumesExactly(SamplingParams sampling, List<String> stops, int... cuts) {
        Run whole = run(request(sampling, stops));
        FinishReason reason = whole.finish.join();
        for (int k : cuts) {
            if (k > whole.tokens.size()) {
                continue;
            }
            Run rest = run(request(sampling, stops).resumeAfter(whole.firstTokens(k)));
            List<Integer> all = new ArrayList<>(Arrays.stream(whole.firstTokens(k)).boxed().toList());
            all.addAll(rest.tokens);
            assertThat(all).as("tokens after a cut at %d (%s)", k, sampling).isEqualTo(whole.tokens);
            assertThat(whole.textThrough(k) + rest.text()).as("text after a cut at %d", k).isEqualTo(whole.text());
            assertThat(rest.finish.join()).isEqualTo(reason);
            assertThat(rest.usage.completionTokens()).isEqualTo(whole.usage.completionTokens());
            assertThat(rest.usage.promptTokens()).isEqualTo(prompt.length);
        }
    }

    @Test
    void greedyContinuesAtEveryCut() {
        assertResumesExactly(SamplingParams.greedy(), List.of(), 1, 2, 3, 7, 16, 25, 39, 40);
    }

    @Test
    void seededSamplingWithPenaltiesDrawsWhatTheRunWouldHaveDrawn() {
        SamplingParams p = SamplingParams.random(0.9f, 1234).withTopP(0.9f).withTopK(40).withRepetitionPenalty(1.3f)
                .withPresencePenalty(0.4f).withFrequencyPenalty(0.3f);
        assertResumesExactly(p, List.of(), 1, 2, 5, 13, 21, 33, 39, 40);
        assertResumesExactly(SamplingParams.random(1.0f, 7), List.of(), 1, 4, 9, 30);
    }

    @Test
    void aStopStringSpanningTheCutStillStopsAndHeldTextIsSentOnce() {
        SamplingParams p = SamplingParams.random(0.8f, 99);
        Run free = run(request(p, List.of()));
        String text = free.text();
        // a stop string that starts in the text of one token and ends in a later one
        int k = 12;
        int boundary = free.textThrough(k).length();
        String stop = text.substring(boundary - 3, boundary + 4);
        assertThat(text.indexOf(stop)).as("the stop string's first occurrence is the one across the cut")
                .isEqualTo(boundary - 3);
        Run whole = run(request(p, List.of(stop)));
        assertThat(whole.finish.join()).isEqualTo(new FinishReason.Stop(whole.tokens.getLast(), stop));
        assertThat(whole.text()).isEqualTo(text.substring(0, boundary - 3));
        int[] cuts = new int[whole.tokens.size()];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        // the last cut is the token that completed the stop string: the continuation is only the finish
        assertResumesExactly(p, List.of(stop), cuts);
        // and a stop string held back at the cut that turns out not to match is sent once, after it
        String partial = stop + "\u0001never";
        assertResumesExactly(p, List.of(partial), k - 1, k, k + 1, k + 2);
    }

    @Test
    void resumingAfterAllItsTokensEndsWithTheHeldBackText() {
        String[] stops = {"zzz"};
        Run whole = run(request(SamplingParams.greedy(), List.of(stops)));
        Run rest = run(request(SamplingParams.greedy(), List.of(stops)).resumeAfter(whole.firstTokens(TOKENS)));
        assertThat(rest.tokens).isEmpty();
        assertThat(rest.finish.join()).isEqualTo(new FinishReason.Length());
        assertThat(whole.textThrough(TOKENS) + rest.text()).isEqualTo(whole.text());
        assertThat(rest.usage.completionTokens()).isEqualTo(TOKENS);
    }

    @Test
    void countsResumedRequestsAndTheirTokens() {
        long before = engine.metrics().resumedRequests();
        long tokensBefore = engine.metrics().resumedTokens();
        Run whole = run(request(SamplingParams.greedy(), List.of()));
        run(request(SamplingParams.greedy(), List.of()).resumeAfter(whole.firstTokens(5)));
        assertThat(engine.metrics().resumedRequests()).isEqualTo(before + 1);
        assertThat(engine.metrics().resumedTokens()).isEqualTo(tokensBefore + 5);
    }

    @Test
    void refusesTokensThatNoRunCouldHaveProducedBeforeMore() {
        int eos = stories.tokenizer.vocabulary().eosId();
        Run whole = run(request(SamplingParams.greedy(), List.of()));
        int[] five = whole.firstTokens(5);
        assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("r", prompt).maxTokens(4)
                .resumeAfter(five).build(), new Run()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("may generate only 4")
                .extracting(e -> ((InvalidRequestException) e).parameter()).isEqualTo("resumedTokens");
        assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("r", prompt).maxTokens(10)
                .resumeAfter(new int[] {five[0], 100_000}).build(), new Run()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("outside the vocabulary");
        assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("r", prompt).maxTokens(10)
                .resumeAfter(new int[] {five[0], eos, five[1]}).build(), new Run()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("ends the generation");
        assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("r", prompt).maxTokens(10)
                .stopTokenIds(Set.of(five[2])).resumeAfter(five).build(), new Run()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("ends the generation");
        String early = whole.textThrough(2);
        assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("r", prompt).maxTokens(10)
                .stopStrings(List.of(early.substring(early.length() - 1))).resumeAfter(five).build(), new Run()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("completes the stop string");
        // with ignoreEos an EOS is an ordinary token
        Run past = run(GenerationRequest.builder("r", prompt).maxTokens(4).ignoreEos(true)
                .resumeAfter(new int[] {five[0], eos}));
        assertThat(past.tokens).hasSize(2);
    }
}
