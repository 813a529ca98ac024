package ai.sluice.core.tokenizer;

import java.nio.charset.StandardCharsets;

/** The tokenizer behind {@link Tokenizer#fromGguf}: special-token splitting around one text model. */
final class GgufTokenizer implements Tokenizer {

    /** Which of llama.cpp's tokenization drivers applies. */
    enum Kind { SENTENCE_PIECE, BYTE_PAIR, WORD_PIECE }

    /** How a vocabulary wants special tokens added and text rendered (llama.cpp's vocab flags). */
    record Settings(Kind kind, boolean addBos, boolean addEos, boolean addSpacePrefix,
                    boolean cleanSpaces, boolean escapeWhitespaces) {
    }

    private static final byte[] EMPTY = new byte[0];

    private final Vocabulary vocabulary;
    private final TextModel model;
    private final Settings settings;
    private final SpecialTokenSplitter addedTokens;
    private final SpecialTokenSplitter allSpecialTokens;

    GgufTokenizer(Vocabulary vocabulary, TextModel model, Settings settings) {
        this.vocabulary = vocabulary;
        this.model = model;
        this.settings = settings;
        this.addedTokens = new SpecialTokenSplitter(vocabulary, false);
        this.allSpecialTokens = new SpecialTokenSplitter(vocabulary, true);
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        IntList fragments = (parseSpecial ? allSpecialTokens : addedTokens).split(text);
        boolean addBos = addSpecial && (settings.addBos() || settings.kind() == Kind.WORD_PIECE);
        if (addBos) {
            requireSpecial(vocabulary.bosId(), "BOS");
            out.add(vocabulary.bosId());
        }
        boolean previousWasSpecial = true; // SentencePiece: a leading space starts the text
        for (int f = 0; f < fragments.size(); f += 3) {
            int id = fragments.get(f + 2);
            if (id != SpecialTokenSplitter.TEXT) {
                out.add(id);
                previousWasSpecial = true;
                continue;
            }
            String fragment = text.substring(fragments.get(f), fragments.get(f + 1));
            if (settings.kind() == Kind.SENTENCE_PIECE) {
                if (settings.addSpacePrefix() && previousWasSpecial) {
                    fragment = " " + fragment;
                }
                fragment = fragment.replace(' ', '\u2581');
            }
            model.encode(fragment, out);
            previousWasSpecial = false;
        }
        if (addSpecial && settings.kind() == Kind.WORD_PIECE) {
            requireSpecial(vocabulary.separatorId(), "SEP");
            out.add(vocabulary.separatorId());
        } else if (addSpecial && settings.addEos()) {
            requireSpecial(vocabulary.eosId(), "EOS");
            out.add(vocabulary.eosId());
        }
        return out.toArray();
    }

    private static void requireSpecial(int id, String name) {
        if (id < 0) {
            throw new TokenizerException("the vocabulary asks for a " + name + " token but defines none");
        }
    }

    @Override
    public String decode(int[] ids) {
        byte[] text = new byte[Math.max(16, ids.length * 4)];
        int n = 0;
        boolean stripSpace = stripsLeadingSpace();
        for (int id : ids) {
            byte[] piece = piece(id);
            int from = stripSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            stripSpace = false;
            if (n + piece.length > text.length) {
                text = java.util.Arrays.copyOf(text, Math.max(text.length * 2, n + piece.length));
            }
            System.arraycopy(piece, from, text, n, piece.length - from);
            n += piece.length - from;
        }
        if (settings.cleanSpaces()) {
            n = SpaceCleaner.clean(text, n);
        }
        return new String(text, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocabulary.text(id); // range check
        return render(id, true);
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder(this);
    }

    /** The bytes {@link #decode} renders for one token (computed each time: cheap, and no 262k-entry cache). */
    byte[] piece(int id) {
        return render(id, false);
    }

    boolean stripsLeadingSpace() {
        return settings.addSpacePrefix();
    }

    private byte[] render(int id, boolean special) {
        int attr = vocabulary.attr(id);
        String text = vocabulary.text(id);
        if ((attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0) {
            return special ? text.getBytes(StandardCharsets.UTF_8) : EMPTY;
        }
        if ((attr & Vocabulary.ATTR_USER_DEFINED) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocabulary.ATTR_NORMAL) != 0) {
            if (settings.kind() == Kind.BYTE_PAIR && !settings.escapeWhitespaces()) {
                return ByteLevel.decode(text);
            }
            return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocabulary.ATTR_BYTE) != 0 && text.length() == 6 && text.startsWith("<0x")) {
            try {
                return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
        }
        return special ? text.getBytes(StandardCharsets.UTF_8) : EMPTY;
    }
}
