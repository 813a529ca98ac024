package ai.sluice.core.tokenizer;

import ai.sluice.core.gguf.GgufFormatException;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;

import java.util.BitSet;
import java.util.Locale;
import java.util.Set;

/** Reads the tokenizer.* metadata of a GGUF file the way llama.cpp's vocabulary loader does. */
final class TokenizerFactory {
    private static final String PREFIX = "tokenizer.ggml.";

    /** Token texts that llama.cpp treats as ending generation (and hence as control tokens). */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
            "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
            "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
            "<｜end▁of▁sentence｜>", "[e~[");
    private static final Set<String> EOT_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
            "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final Set<String> FIM_END_TEXTS = Set.of(
            "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>");

    private TokenizerFactory() {
    }

    static Tokenizer create(GgufMetadata metadata) {
        try {
            return build(metadata);
        } catch (GgufFormatException e) {
            throw new TokenizerException("bad tokenizer metadata: " + e.getMessage(), e);
        }
    }

    private static Tokenizer build(GgufMetadata md) {
        String model = md.findString(PREFIX + "model")
                .orElseThrow(() -> new TokenizerException("GGUF metadata has no " + PREFIX + "model"));
        String pre = md.findString(PREFIX + "pre").orElse("");
        if (!md.contains(PREFIX + "tokens")) {
            throw new TokenizerException("GGUF metadata has no " + PREFIX + "tokens array");
        }
        String[] texts = md.getStringArray(PREFIX + "tokens").clone(); // empty entries are renamed below
        int n = texts.length;
        if (n == 0) {
            throw new TokenizerException(PREFIX + "tokens is empty");
        }
        float[] scores = new float[n];
        if (md.contains(PREFIX + "scores")) {
            float[] s = md.getFloatArray(PREFIX + "scores");
            if (s.length != n) {
                throw new TokenizerException(PREFIX + "scores has " + s.length + " entries but there are "
                        + n + " tokens");
            }
            scores = s;
        }
        TokenType[] types = new TokenType[n];
        java.util.Arrays.fill(types, TokenType.NORMAL);
        if (md.contains(PREFIX + "token_type")) {
            int[] codes = md.getIntArray(PREFIX + "token_type");
            if (codes.length != n) {
                throw new TokenizerException(PREFIX + "token_type has " + codes.length
                        + " entries but there are " + n + " tokens");
            }
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.fromGguf(codes[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (texts[i].isEmpty()) {
                texts[i] = "[EMPTY_" + i + "]"; // as llama.cpp: an empty entry can never match text
            }
        }

        GgufTokenizer.Kind kind;
        int bos;
        int eos;
        int unk;
        int sep = -1;
        boolean addBos = false;
        boolean addEos = false;
        boolean addSpacePrefix = false;
        boolean cleanSpaces = false;
        boolean escapeWhitespaces = false;
        boolean ignoreMerges = false;
        switch (model) {
            case "llama" -> {
                kind = GgufTokenizer.Kind.SENTENCE_PIECE;
                bos = 1;
                eos = 2;
                unk = 0;
                addBos = true;
                addSpacePrefix = true;
            }
            case "bert" -> {
                kind = GgufTokenizer.Kind.WORD_PIECE;
                bos = 101;
                eos = -1;
                unk = 100;
                sep = 102;
                addBos = true;
                cleanSpaces = true;
            }
            case "gpt2" -> {
                kind = GgufTokenizer.Kind.BYTE_PAIR;
                bos = 11;
                eos = 11;
                unk = -1;
                cleanSpaces = true;
                if (pre.isEmpty()) {
                    pre = "default";
                }
                switch (pre) {
                    case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                         "jina-v5-nano" -> {
                        ignoreMerges = true;
                        addBos = true;
                    }
                    case "deepseek-llm", "deepseek-coder", "command-r", "qwen2", "deepseek-r1-qwen", "kormo",
                         "f2llmv2", "qwen35", "smollm", "hunyuan", "solar-open" -> cleanSpaces = false;
                    case "chatglm-bpe", "glm4" -> bos = -1;
                    default -> {
                    }
                }
            }
            case "gemma4" -> {
                kind = GgufTokenizer.Kind.BYTE_PAIR;
                bos = -1;
                eos = -1;
                unk = -1;
                pre = "gemma4";
                cleanSpaces = true;
                escapeWhitespaces = true;
            }
            default -> throw new TokenizerException("unsupported tokenizer.ggml.model '" + model
                    + "' (supported: llama, gpt2, bert, gemma4)");
        }
        addSpacePrefix = md.getBool(PREFIX + "add_space_prefix", addSpacePrefix);

        bos = specialId(md, "bos_token_id", bos, n);
        eos = specialId(md, "eos_token_id", eos, n);
        unk = specialId(md, "unknown_token_id", unk, n);
        sep = specialId(md, "seperator_token_id", sep, n);
        int eot = specialId(md, "eot_token_id", -1, n);
        int eom = specialId(md, "eom_token_id", -1, n);
        addBos = md.getBool(PREFIX + "add_bos_token", addBos);
        addEos = md.getBool(PREFIX + "add_eos_token", addEos);
        if (pre.equals("gemma4")) {
            addBos = true; // llama.cpp forces it for Gemma 4
        }
        if (addBos && bos < 0) {
            throw new TokenizerException(PREFIX + "add_bos_token is true, but " + PREFIX + "bos_token_id is not set");
        }
        if (addEos && eos < 0) {
            throw new TokenizerException(PREFIX + "add_eos_token is true, but " + PREFIX + "eos_token_id is not set");
        }

        int[] attrs = attributes(types);
        BitSet eog = new BitSet(n);
        for (int id = 0; id < n; id++) {
            String t = texts[id];
            if (eot < 0 && EOT_TEXTS.contains(t)) {
                eot = id;
                attrs[id] |= Vocabulary.ATTR_CONTROL;
            }
            if (eom < 0 && t.equals("<|eom_id|>")) {
                eom = id;
                attrs[id] |= Vocabulary.ATTR_CONTROL;
            }
            if (END_OF_GENERATION_TEXTS.contains(t) || FIM_END_TEXTS.contains(t)) {
                eog.set(id);
                attrs[id] |= Vocabulary.ATTR_CONTROL;
            }
            if ((attrs[id] & Vocabulary.ATTR_CONTROL) != 0 && t.contains("unused")) {
                attrs[id] |= Vocabulary.ATTR_UNUSED;
            }
            if (t.equals("<|channel|>") || t.equals("<|message|>") || t.equals("<|start|>")
                    || t.equals("<|constrain|>")) {
                attrs[id] = Vocabulary.ATTR_USER_DEFINED;
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) {
                eog.set(id);
            }
        }
        gemmaEndOfGeneration(texts, eog, attrs);
        stripAttributes(md, texts, attrs, pre);

        Vocabulary vocabulary = new Vocabulary(texts, scores, types, attrs, eog, bos, eos, unk, sep);
        TextModel textModel = switch (kind) {
            case SENTENCE_PIECE -> new SentencePieceModel(vocabulary, scores);
            case WORD_PIECE -> {
                boolean lowercase = md.getBool(PREFIX + "normalizer.lowercase", true);
                yield new WordPieceModel(vocabulary, texts, lowercase, md.getBool(PREFIX + "normalizer.strip_accents", lowercase));
            }
            case BYTE_PAIR -> {
                if (!md.contains(PREFIX + "merges")) {
                    throw new TokenizerException("GGUF metadata has no " + PREFIX + "merges (needed by '"
                            + model + "')");
                }
                MergeRanks ranks = new MergeRanks(md.getStringArray(PREFIX + "merges"), vocabulary.index());
                yield new BytePairModel(vocabulary.index(), ranks, PreTokenizer.forType(pre),
                        !model.equals("gemma4"), ignoreMerges, escapeWhitespaces);
            }
        };
        return new GgufTokenizer(vocabulary, textModel, new GgufTokenizer.Settings(kind, addBos, addEos,
                addSpacePrefix, cleanSpaces, escapeWhitespaces));
    }

    private static int[] attributes(TokenType[] types) {
        int[] attrs = new int[types.length];
        for (int i = 0; i < types.length; i++) {
            attrs[i] = switch (types[i]) {
                case NORMAL -> Vocabulary.ATTR_NORMAL;
                case UNKNOWN -> Vocabulary.ATTR_UNKNOWN;
                case CONTROL -> Vocabulary.ATTR_CONTROL;
                case USER_DEFINED -> Vocabulary.ATTR_USER_DEFINED;
                case UNUSED -> Vocabulary.ATTR_UNUSED;
                case BYTE -> Vocabulary.ATTR_BYTE;
                case UNDEFINED -> 0;
            };
        }
        return attrs;
    }

    /** Gemma 4 and PaddleOCR: with "&lt;|tool_response&gt;" present, "&lt;/s&gt;" is ordinary text. */
    private static void gemmaEndOfGeneration(String[] texts, BitSet eog, int[] attrs) {
        int toolResponse = -1;
        int closeS = -1;
        for (int id = eog.nextSetBit(0); id >= 0; id = eog.nextSetBit(id + 1)) {
            if (texts[id].equals("<|tool_response>")) {
                toolResponse = id;
            } else if (texts[id].equals("</s>")) {
                closeS = id;
            }
        }
        if (toolResponse >= 0 && closeS >= 0) {
            eog.clear(closeS);
            attrs[closeS] = Vocabulary.ATTR_NORMAL;
        }
    }

    /** llama.cpp's per-model strip flags: Phi-3's special tokens swallow the whitespace after them. */
    private static void stripAttributes(GgufMetadata md, String[] texts, int[] attrs, String pre) {
        String name = md.findString("general.name").orElse("").toLowerCase(Locale.ROOT);
        String arch = md.findString("general.architecture").orElse("");
        if (pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")
                || arch.contains("nomic-bert-moe") || arch.contains("jina-bert-v3")) {
            setAttr(texts, attrs, "<mask>", Vocabulary.ATTR_LSTRIP, true);
        } else if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id = 0; id < attrs.length; id++) {
                if ((attrs[id] & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_USER_DEFINED
                        | Vocabulary.ATTR_UNKNOWN)) != 0) {
                    attrs[id] |= Vocabulary.ATTR_RSTRIP;
                }
            }
            setAttr(texts, attrs, "</s>", Vocabulary.ATTR_RSTRIP, true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
                setAttr(texts, attrs, t, Vocabulary.ATTR_RSTRIP, false);
            }
        } else if (name.contains("modern-bert")) {
            setAttr(texts, attrs, "[MASK]", Vocabulary.ATTR_LSTRIP, true);
        }
    }

    private static void setAttr(String[] texts, int[] attrs, String text, int flag, boolean on) {
        for (int id = 0; id < texts.length; id++) {
            if (texts[id].equals(text)) {
                attrs[id] = on ? attrs[id] | flag : attrs[id] & ~flag;
                return;
            }
        }
    }

    /** A special token id from metadata; an id outside the vocabulary falls back to the default. */
    private static int specialId(GgufMetadata md, String key, int defaultId, int size) {
        int id = defaultId >= size ? -1 : defaultId;
        GgufValue v = md.get(PREFIX + key).orElse(null);
        if (v == null) {
            return id;
        }
        long value = md.getLong(PREFIX + key);
        return value >= 0 && value < size ? (int) value : id;
    }
}
