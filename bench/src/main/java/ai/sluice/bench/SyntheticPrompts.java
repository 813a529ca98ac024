package ai.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Prompts of a requested token length made of common English words drawn from a seeded generator, different for
 * every request (so a prefix cache cannot make the run look faster than real traffic).
 */
public final class SyntheticPrompts {
    private static final String[] WORDS = ("the of and to in is was he for it with as his on be at by had are but "
            + "from or have an they which one you were her all she there would their we him been has when who will "
            + "more no if out so said what up its about into than them can only other new some could time these two "
            + "may then do first any my now such like our over man me even most made after also did many before must "
            + "through back years where much your way well down should because each just those people how too little "
            + "state good very make world still own see men work long get here between both life being under never "
            + "day same another know while last might us great old year off come since against go came right used "
            + "take three").split(" ");

    private SyntheticPrompts() {
    }

    /** {@code count} prompts of {@code inputLen} tokens (as the counter counts them), each asking for {@code outputLen}. */
    public static List<Prompt> generate(int count, int inputLen, int outputLen, long seed, TokenCounter counter) {
        Supplier<Prompt> next = supplier(inputLen, outputLen, seed, counter);
        List<Prompt> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            prompts.add(next.get());
        }
        return prompts;
    }

    /**
     * The same sequence of prompts as {@link #generate}, one per call, for runs that do not know how many they need
     * ({@code --duration}). Not thread-safe: {@link PromptSupply} serializes it.
     */
    public static Supplier<Prompt> supplier(int inputLen, int outputLen, long seed, TokenCounter counter) {
        if (inputLen < 1 || outputLen < 1) {
            throw new BenchException("--input-len and --output-len must be >= 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] tokensPerWord = {1.0};
        return () -> {
            // Twice the words needed at the current estimate; the prompt is a prefix of this sequence.
            String[] words = words(random.split(), (int) Math.ceil(inputLen / tokensPerWord[0] * 2) + 8);
            Fit fit = fit(words, inputLen, tokensPerWord[0], counter);
            if (fit.words > 0 && fit.tokens > 0) {
                tokensPerWord[0] = (double) fit.tokens / fit.words;
            }
            return new Prompt(fit.text, fit.tokens, outputLen);
        };
    }

    private record Fit(String text, int words, int tokens) {
    }

    /**
     * The longest word prefix whose token count does not pass the target: a guess from the tokens-per-word estimate,
     * then a binary search between a prefix known to fit and one known not to (counts grow with the prefix).
     */
    private static Fit fit(String[] words, int target, double tokensPerWord, TokenCounter counter) {
        int lo = 0;
        int loTokens = 0;
        int hi = words.length + 1;
        int guess = Math.max(1, Math.min(words.length, (int) Math.round(target / tokensPerWord)));
        while (hi - lo > 1) {
            int mid = guess > lo && guess < hi ? guess : (lo + hi) >>> 1;
            guess = -1;
            int tokens = counter.count(join(words, mid));
            if (tokens == target) {
                return new Fit(join(words, mid), mid, tokens);
            }
            if (tokens < target) {
                lo = mid;
                loTokens = tokens;
            } else {
                hi = mid;
            }
        }
        if (lo == 0) {
            // Even one word is too long (or the target is tiny): one word is the shortest prompt there is.
            return new Fit(join(words, 1), 1, counter.count(join(words, 1)));
        }
        return topUp(join(words, lo), lo, loTokens, target, counter);
    }

    /** Short words that most tokenizers keep as one token each, tried in turn to close the last gap. */
    private static final String[] FILLERS = {"a", "I", "the", "and", "of", "to", "in", "it", "is", "he"};

    /**
     * Closes the gap a whole-word prefix leaves below the target (with a small vocabulary a word is several tokens,
     * so the longest fitting prefix often ends 1-4 tokens short): appends the first short word that adds tokens
     * without passing the target, until the count is exact or no filler fits. Counts are measured, never assumed.
     */
    private static Fit topUp(String text, int words, int tokens, int target, TokenCounter counter) {
        while (tokens < target) {
            boolean grew = false;
            for (String filler : FILLERS) {
                String longer = text + " " + filler;
                int n = counter.count(longer);
                if (n > tokens && n <= target) {
                    text = longer;
                    tokens = n;
                    words++;
                    grew = true;
                    break;
                }
            }
            if (!grew) {
                break;
            }
        }
        return new Fit(text, words, tokens);
    }

    private static String[] words(SplittableRandom random, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = WORDS[random.nextInt(WORDS.length)];
        }
        return out;
    }

    private static String join(String[] words, int n) {
        return String.join(" ", Arrays.asList(words).subList(0, n));
    }
}
