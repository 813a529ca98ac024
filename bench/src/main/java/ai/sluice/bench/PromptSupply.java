package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prompts by index, made on first use and kept: a {@code --duration} run does not know how many it will send.
 * Thread-safe; a prompt beyond those made ahead is fitted when a sender first asks for it (a few {@code /tokenize}
 * calls on the server while the run goes, outside any request's measured time).
 */
public final class PromptSupply {
    private final Supplier<Prompt> next;
    private final List<Prompt> made = new ArrayList<>();

    public PromptSupply(Supplier<Prompt> next) {
        this.next = next;
    }

    /** Makes the first {@code n} prompts now, before the clock starts. */
    public PromptSupply ahead(int n) {
        if (n > 0) {
            get(n - 1);
        }
        return this;
    }

    public synchronized Prompt get(int index) {
        while (made.size() <= index) {
            made.add(next.get());
        }
        return made.get(index);
    }
}
