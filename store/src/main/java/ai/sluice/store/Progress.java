package ai.sluice.store;

/**
 * What a pull reports while it runs. Called from transfer threads; implementations throttle their
 * own output. An exception thrown from {@link #advanced} aborts the transfer (the partial file
 * stays for a resume), which is how a caller cancels.
 */
public interface Progress {
    /** A transfer of {@code size} bytes starts; {@code resumed} of them are already here. */
    void started(String name, long size, long resumed, String from);

    /** {@code done} of {@code size} bytes are here (including resumed ones). */
    void advanced(long done, long size);

    /** Something worth a log line: a failover, a wait for another process, a verification. */
    void note(String line);

    /** The transfer ended, successfully or not. */
    void finished();

    static Progress silent() {
        return new Progress() {
            @Override
            public void started(String name, long size, long resumed, String from) {
            }

            @Override
            public void advanced(long done, long size) {
            }

            @Override
            public void note(String line) {
            }

            @Override
            public void finished() {
            }
        };
    }
}
