package ai.sluice.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/** Keeps the notes; runs a hook on each advance (to stop a server or cancel mid-transfer). */
final class RecordingProgress implements Progress {
    final List<String> notes = new CopyOnWriteArrayList<>();
    private final LongConsumer onAdvance;

    RecordingProgress(LongConsumer onAdvance) {
        this.onAdvance = onAdvance;
    }

    RecordingProgress() {
        this(done -> { });
    }

    @Override
    public void started(String name, long size, long resumed, String from) {
        notes.add("started " + name + " resumed=" + resumed + " from " + from);
    }

    @Override
    public void advanced(long done, long size) {
        onAdvance.accept(done);
    }

    @Override
    public void note(String line) {
        notes.add(line);
    }

    @Override
    public void finished() {
    }
}
