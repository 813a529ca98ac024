package ai.sluice.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds catalog entries by what people type: case, separators and a repository prefix do not matter
 * ({@code Llama 3.1 70B}, {@code meta-llama/Llama-3.1-70B-Instruct} and {@code llama3.1:70b} all find
 * {@code llama-3.1-70b}; {@code NVIDIA H100} finds {@code h100-80gb}), a unique prefix is enough
 * ({@code a100-80} finds {@code a100-80gb}), and a miss suggests the closest name.
 */
final class CatalogNames {
    private CatalogNames() {
    }

    /**
     * The comparison key: lower case, the part after a repository's {@code org/}, without a vendor word or a
     * chat/instruct suffix, and with only letters, digits and dots left.
     */
    static String key(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        n = n.substring(n.lastIndexOf('/') + 1);
        n = n.replaceAll("[-_ ](instruct|chat|hf)$", "");
        n = n.replaceAll("^(nvidia|amd)[-_ ]+", "");
        return n.replaceAll("[^a-z0-9.]", "");
    }

    /**
     * The entry answering to {@code query}: exact key match on a name or alias first, then the only entry
     * having a name that starts with it; else a {@link PlanException} with a did-you-mean.
     *
     * @param kind  "model" or "hardware", for the message
     * @param names an entry's name first, then its aliases
     * @param hint  what else the user can do, appended to the message
     */
    static <T> T find(String kind, String query, List<T> entries, Function<T, List<String>> names, String hint) {
        String q = key(query);
        for (T e : entries) {
            for (String n : names.apply(e)) {
                if (key(n).equals(q)) {
                    return e;
                }
            }
        }
        List<T> prefixed = new ArrayList<>();
        for (T e : entries) {
            if (!q.isEmpty() && names.apply(e).stream().anyMatch(n -> key(n).startsWith(q))) {
                prefixed.add(e);
            }
        }
        if (prefixed.size() == 1) {
            return prefixed.getFirst();
        }
        List<String> primary = entries.stream().map(e -> names.apply(e).getFirst()).toList();
        String suggestion = prefixed.size() > 1
                ? "did you mean one of " + String.join(", ", prefixed.stream().map(e -> names.apply(e).getFirst())
                .toList()) + "?"
                : closest(q, entries, names).map(s -> "did you mean '" + s + "'?").orElse("known: "
                + String.join(", ", primary));
        return fail("unknown " + kind + " '" + query + "'; " + suggestion + " " + hint);
    }

    private static <T> T fail(String message) {
        throw new PlanException(message.strip());
    }

    /** The primary name of the entry whose name or alias is nearest by edit distance, if near enough to be a typo. */
    private static <T> Optional<String> closest(String q, List<T> entries, Function<T, List<String>> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (T e : entries) {
            for (String n : names.apply(e)) {
                int d = distance(q, key(n));
                if (d < bestDistance) {
                    bestDistance = d;
                    best = names.apply(e).getFirst();
                }
            }
        }
        return best != null && bestDistance <= Math.max(2, q.length() / 3) ? Optional.of(best)
                : Optional.empty();
    }

    /** The closest of {@code options} to {@code query} by edit distance, if near enough to be a typo. */
    static Optional<String> closest(String query, List<String> options) {
        return closest(key(query), options, List::of);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
