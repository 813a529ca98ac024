package ai.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

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
        if (inputLen < 1 || outputLen < 1) {
            throw new BenchException("--input-len and --output-len must be >= 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Prompt> prompts = new ArrayList<>(count);
        double tokensPerWord = 1.0;
        for (int i = 0; i < count; i++) {
            // Twice the words needed at the current estimate; the prompt is a prefix of this sequence.
            String[] words = words(random.split(), (int) Math.ceil(inputLen / tokensPerWord * 2) + 8);
            Fit fit = fit(words, inputLen, tokensPerWord, counter);
            prompts.add(new Prompt(fit.text, fit.tokens, outputLen));
            if (fit.words > 0 && fit.tokens > 0) {
                tokensPerWord = (double) fit.tokens / fit.words;
            }
        }
        return prompts;
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
        return new Fit(join(words, lo), lo, loTokens);
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
