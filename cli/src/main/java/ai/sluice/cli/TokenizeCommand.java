package ai.sluice.cli;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice tokenize --model FILE [--no-bos] TEXT}: prints the token ids as a JSON array. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of TEXT as a JSON array (BOS first unless --no-bos).")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelSourceOptions model;

    @Option(names = "--no-bos", description = "Do not add BOS/EOS tokens.")
    boolean noBos;

    @Option(names = "--parse-special", description = "Recognise control-token text such as <|eot_id|>.")
    boolean parseSpecial;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Override
    public Integer call() {
        try (GgufFile file = GgufFile.open(model.file())) {
            int[] ids = Tokenizer.fromGguf(file.metadata()).encode(text, !noBos, parseSpecial);
            System.out.println(Arrays.toString(ids).replace(" ", ""));
        } finally {
            model.release();
        }
        return 0;
    }
}
