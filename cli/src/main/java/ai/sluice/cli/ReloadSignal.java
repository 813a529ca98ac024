package ai.sluice.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

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
            // a process started with SIGHUP ignored (nohup, some supervisors) keeps it ignored: the JVM then
            // installs nothing and answers SIG_IGN, so a later SIGHUP would silently do nothing
            if (Signal.handle(new Signal("HUP"), signal -> reloadNow.run()) == SignalHandler.SIG_IGN) {
                System.err.println("sluice: warning: SIGHUP is ignored in this process (started under nohup?);"
                        + " edits to the config file still apply within a second");
            }
        } catch (IllegalArgumentException e) { // the JVM keeps SIGHUP for itself (-Xrs): the file watcher still reloads
            System.err.println("sluice: warning: cannot handle SIGHUP (" + e.getMessage() + "); edits to the config"
                    + " file still apply within a second");
        }
    }
}
