package ai.sluice.server.structured;

import ai.sluice.engine.TokenConstraint;
import ai.sluice.grammar.Expr;
import ai.sluice.grammar.Grammar;
import ai.sluice.grammar.GrammarBuilder;
import ai.sluice.grammar.GrammarException;
import ai.sluice.grammar.JsonSchemaGrammar;
import ai.sluice.grammar.RegexGrammar;
import ai.sluice.grammar.TokenGrammar;
import ai.sluice.grammar.TokenVocabulary;
import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.OutputSpec;
import ai.sluice.server.serving.TextCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles {@link OutputSpec}s into engine constraints over the served model's vocabulary. The
 * vocabulary trie is built once (on first use); compiled grammars and their mask caches are kept per
 * spec (least recently used out), so a client that sends the same schema again pays nothing and
 * finds its masks cached. A spec that cannot be compiled is a 400 naming the field and the keyword.
 */
public final class ConstraintCompiler {
    private static final int MAX_GRAMMARS = 64;

    private final TextCodec codec;
    private volatile TokenVocabulary vocabulary;
    private final Map<String, TokenGrammar> grammars = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenGrammar> eldest) {
            return size() > MAX_GRAMMARS;
        }
    };

    public ConstraintCompiler(TextCodec codec) {
        this.codec = codec;
    }

    /** The constraint for {@code spec}, or null for free text. */
    public TokenConstraint compile(OutputSpec spec) {
        if (spec == null) {
            return null;
        }
        TokenGrammar g;
        synchronized (grammars) {
            g = grammars.get(spec.key());
        }
        if (g == null) {
            g = new TokenGrammar(grammar(spec), vocabulary());
            synchronized (grammars) {
                grammars.put(spec.key(), g);
            }
        }
        return new GrammarConstraint(g);
    }

    /** The grammar of a spec; a spec that cannot be compiled is a 400 naming its field and what is wrong. */
    public static Grammar grammar(OutputSpec spec) {
        try {
            return switch (spec) {
                case OutputSpec.AnyJsonObject a -> JsonSchemaGrammar.anyObject();
                case OutputSpec.JsonSchema s -> JsonSchemaGrammar.fromSchema(s.schema());
                case OutputSpec.Regex r -> RegexGrammar.grammar(r.pattern());
                case OutputSpec.Choice c -> choice(c.choices());
                case OutputSpec.Gbnf g -> ai.sluice.grammar.GbnfGrammar.parse(g.grammar());
            };
        } catch (GrammarException e) {
            throw ApiException.invalid(spec.field(), "'" + spec.field() + "': " + e.getMessage());
        }
    }

    private static Grammar choice(List<String> choices) {
        List<Expr> options = new ArrayList<>();
        for (String c : choices) {
            options.add(Expr.literal(c));
        }
        return new GrammarBuilder().define("root", Expr.alt(options)).build("root");
    }

    /** The vocabulary as byte strings; control and other special tokens get none (text never holds them). */
    public TokenVocabulary vocabulary() {
        TokenVocabulary v = vocabulary;
        if (v == null) {
            synchronized (this) {
                if (vocabulary == null) {
                    int n = codec.vocabularySize();
                    byte[][] bytes = new byte[n][];
                    for (int t = 0; t < n; t++) {
                        bytes[t] = codec.isSpecial(t) ? null : codec.tokenBytes(t);
                    }
                    vocabulary = new TokenVocabulary(bytes);
                }
                v = vocabulary;
            }
        }
        return v;
    }
}
