package ai.sluice.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request inside the engine: its tokens (prompt, then generated), how many of them have KV in
 * the cache, its block table, and its output state. Mutated by the engine thread only, except
 * the cancel flag.
 */
final class Sequence implements ModelRunner.SlotMap {
    enum State { QUEUED, WAITING, RUNNING, FINISHED }

    final long arrival;
    final GenerationRequest request;
    final GenerationListener listener;
    final int promptLength;
    /** Tokens an earlier run generated that this one continues after (stream resume); 0 when fresh. */
    final int resumed;
    final int maxTokens;
    final long arrivalNanos;
    private final int blockShift;
    private final int blockMask;

    State state = State.QUEUED;
    private int[] tokens;
    private int length;
    /** Tokens whose K/V are in the cache (positions 0..computed-1). */
    int computed;
    private int[] blockTable = new int[8];
    private int blocks;
    /** Chain hashes of the leading full blocks registered in (or found in) the prefix cache. */
    private long[] blockHashes = new long[8];
    int hashedBlocks;

    boolean admittedOnce;
    int cachedPromptTokens;
    int generated;
    long firstTokenNanos;
    /** When the scheduler first admitted it (0 until then). */
    long firstScheduledNanos;
    long lastTokenNanos;
    /** Set when the resumed tokens already ended the generation: finish at intake, schedule nothing. */
    FinishReason resumedEnd;
    /** Set for an embedding request (a prefill-only sequence that pools instead of sampling); else null. */
    PooledEmbedding embedding;
    TokenPicker picker;
    Detokenizer.TextStream text;
    StopStrings stops;

    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile boolean finished;

    Sequence(long arrival, GenerationRequest request, GenerationListener listener, int maxTokens, int blockSize,
             long arrivalNanos) {
        this.arrival = arrival;
        this.request = request;
        this.listener = listener;
        this.promptLength = request.promptLength();
        this.maxTokens = maxTokens;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.blockMask = blockSize - 1;
        this.arrivalNanos = arrivalNanos;
        int[] resumedTokens = request.resumedTokensUnsafe();
        this.resumed = resumedTokens.length;
        this.tokens = Arrays.copyOf(request.promptTokensUnsafe(), promptLength + Math.max(resumed, Math.min(maxTokens, 256)));
        System.arraycopy(resumedTokens, 0, tokens, promptLength, resumed);
        this.length = promptLength + resumed;
        this.generated = resumed;
    }

    // ---- tokens ----

    int length() {
        return length;
    }

    int token(int i) {
        return tokens[i];
    }

    /** The token array (valid up to {@link #length()}); do not keep it across {@link #append}. */
    int[] tokens() {
        return tokens;
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
    }

    /** Tokens still to run through the model before the next token can be sampled. */
    int remaining() {
        return length - computed;
    }

    // ---- blocks ----

    int blocks() {
        return blocks;
    }

    int block(int i) {
        return blockTable[i];
    }

    void addBlock(int block) {
        if (blocks == blockTable.length) {
            blockTable = Arrays.copyOf(blockTable, blocks * 2);
        }
        blockTable[blocks++] = block;
    }

    /** Forgets all blocks (the caller released them) and everything computed: recompute from scratch. */
    void clearBlocks() {
        blocks = 0;
        computed = 0;
        hashedBlocks = 0;
    }

    long blockHash(int i) {
        return blockHashes[i];
    }

    void setBlockHash(int i, long hash) {
        if (i >= blockHashes.length) {
            blockHashes = Arrays.copyOf(blockHashes, Math.max(i + 1, blockHashes.length * 2));
        }
        blockHashes[i] = hash;
    }

    /**
     * Paged slot of position {@code p}: the block holding it, times the block size, plus the offset
     * in it. Called for every cached position in attention, so shifts and masks (block sizes are
     * powers of two) rather than division.
     */
    @Override
    public int slot(int position) {
        return (blockTable[position >>> blockShift] << blockShift) | (position & blockMask);
    }

    // ---- cancellation (any thread) ----

    String requestId() {
        return request.requestId();
    }

    /** Sets the cancel flag; true the first time. */
    boolean requestCancel() {
        return cancelRequested.compareAndSet(false, true);
    }

    boolean cancelRequested() {
        return cancelRequested.get();
    }

    boolean isFinished() {
        return finished;
    }

    void markFinished() {
        state = State.FINISHED;
        finished = true;
    }

    @Override
    public String toString() {
        return "Sequence[" + request.requestId() + ", " + state + ", " + computed + "/" + length + " computed, "
                + blocks + " blocks]";
    }
}
