package ai.sluice.cli;

import ai.sluice.core.quant.eval.LogitsSource;
import java.nio.file.Path;

/**
 * How {@code sluice eval} gets tokens and logits out of a GGUF model. The evaluation itself
 * ({@link ai.sluice.core.quant.eval.QuantEval}) only needs this; the implementation is where the
 * forward pass and the tokenizer are plugged in.
 */
interface EvalModels {

    /** Opens a model; the caller closes it. */
    EvalModel open(Path gguf);

    /** An opened model. */
    interface EvalModel extends AutoCloseable {
        /** Logits per position for a window of tokens, evaluated from an empty context. */
        LogitsSource logits();

        /** The text as token ids, without BOS (the evaluation puts BOS at the start of each window). */
        int[] tokenize(String text);

        /** The BOS token id, or -1 when the model does not use one. */
        int bosToken();

        int vocabularySize();

        @Override
        void close();
    }
}
