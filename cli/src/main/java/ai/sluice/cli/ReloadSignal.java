package ai.sluice.cli;

import sun.misc.Signal;

/**
 * SIGHUP reloads {@code gateway --config}'s file, as nginx and envoy do. Without a handler SIGHUP would end the
 * JVM, so the gateway installs it only where there is a file to reload.
 */
final class ReloadSignal {
    private ReloadSignal() {
    }

    /** {@code reloadNow} must return quickly: it runs on the JVM's signal dispatch thread. */
    static void install(Runnable reloadNow) {
        try {
            Signal.handle(new Signal("HUP"), signal -> reloadNow.run());
        } catch (IllegalArgumentException e) { // the JVM keeps SIGHUP for itself (-Xrs): the file watcher still reloads
            System.err.println("sluice: warning: cannot handle SIGHUP (" + e.getMessage() + "); edits to the config"
                    + " file still apply within a second");
        }
    }
}
