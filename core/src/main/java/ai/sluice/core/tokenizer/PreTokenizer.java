package ai.sluice.core.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before BPE, as the Hugging Face pre-tokenizer of each {@code tokenizer.ggml.pre}
 * does: a sequence of regexes, each applied to every piece the previous one left; matches and the
 * text between matches both become pieces ("isolated" splitting). The regexes are the ones llama.cpp
 * uses per pre-tokenizer type, written for java.util.regex ({@code \s} as Unicode White_Space, end of
 * piece as {@code \z}).
 */
final class PreTokenizer {
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    private static final String GPT2 =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN35 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    // Cased letters of the deepseek-llm pre-tokenizer, as code points: the literal characters would
    // not survive Unicode normalization of the source (e.g. U+212A KELVIN SIGN becomes "K").
    private static final String DEEPSEEK_LETTERS = "\\s?["
            + "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}"
            + "-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}"
            + "\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}"
            + "\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-"
            + "\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-"
            + "\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-"
            + "\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-"
            + "\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}"
            + "-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-"
            + "\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-"
            + "\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}"
            + "\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}"
            + "\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}"
            + "-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-"
            + "\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-"
            + "\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-"
            + "\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}"
            + "]+";

    private final List<Pattern> patterns;

    private PreTokenizer(List<String> regexes) {
        this.patterns = regexes.stream().map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toList();
    }

    /** The pre-tokenizer for a BPE vocabulary's {@code tokenizer.ggml.pre} value. */
    static PreTokenizer forType(String pre) {
        return new PreTokenizer(switch (pre) {
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                 "dbrx", "smaug-bpe", "jina-v5-nano" -> List.of(LLAMA3);
            case "chatglm-bpe", "glm4" -> List.of(LLAMA3);
            case "deepseek-llm" -> List.of("[\r\n]", DEEPSEEK_LETTERS, "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
                    "\\s+\\z", CJK, "\\p{N}+");
            case "deepseek-coder" -> List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}");
            case "falcon" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2" ->
                    List.of("\\p{N}", GPT2);
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
                 "mellum", "modern-bert", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4",
                 "jina-v1-en", "jina-v2-code", "roberta-bpe" -> List.of(GPT2);
            case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "stablelm2", "hunyuan", "solar-open", "megrez" ->
                    List.of(QWEN2);
            case "qwen35" -> List.of(QWEN35);
            case "gemma4", "granite-embed-multi-311m" -> List.of("[^\\n]+|[\\n]+");
            case "default" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            default -> throw new TokenizerException("unsupported tokenizer.ggml.pre '" + pre + "'");
        });
    }

    /** Pieces of {@code text} as (start, end) pairs of char offsets, in order, covering all of it. */
    IntList split(String text) {
        IntList pieces = new IntList(16);
        pieces.add(0);
        pieces.add(text.length());
        for (Pattern pattern : patterns) {
            IntList next = new IntList(pieces.size() * 2);
            Matcher m = pattern.matcher(text);
            for (int p = 0; p < pieces.size(); p += 2) {
                int start = pieces.get(p);
                int end = pieces.get(p + 1);
                m.region(start, end);
                int cursor = start;
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue;
                    }
                    if (m.start() > cursor) {
                        next.add(cursor);
                        next.add(m.start());
                    }
                    next.add(m.start());
                    next.add(m.end());
                    cursor = m.end();
                }
                if (cursor < end) {
                    next.add(cursor);
                    next.add(end);
                }
            }
            pieces = next;
        }
        return pieces;
    }
}
