package ai.sluice.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How {@code serve} stops: the first SIGTERM or SIGINT drains (readiness off, requests in flight
 * finish), a second SIGINT stops at once, as llama-server and uvicorn do for an impatient Ctrl-C.
 *
 * <p>A process started in the background by a non-interactive shell inherits SIGINT ignored, and
 * the JVM then leaves it ignored: such a server could only be stopped with SIGTERM. SIGINT's
 * disposition is reset to the default first, so the handler installs in every case.
 */
final class StopSignals {
    private static final int SIGINT = 2;
    private static final int EXIT_INTERRUPTED = 130;

    private StopSignals() {
    }

    /** Installs the handlers; {@code drainThenExit} runs once, on its own thread. */
    static void install(Runnable drainThenExit) {
        restoreDefaultSigint();
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler handler = signal -> {
            if (stopping.compareAndSet(false, true)) {
                Thread.ofPlatform().name("sluice-drain").start(drainThenExit);
            } else if (signal.getName().equals("INT")) {
                System.err.println("sluice: interrupted again: stopping now, requests in flight are cut off");
                System.err.flush();
                Runtime.getRuntime().halt(EXIT_INTERRUPTED);
            }
            // a second SIGTERM changes nothing: the drain is already under way
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }

    /** {@code signal(SIGINT, SIG_DFL)}, through FFM; where that fails, SIGINT stays as inherited. */
    private static void restoreDefaultSigint() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle signal = linker.downcallHandle(linker.defaultLookup().find("signal").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment previous = (MemorySegment) signal.invokeExact(SIGINT, MemorySegment.NULL); // SIG_DFL is 0
        } catch (Throwable e) {
            System.err.println("sluice: warning: cannot reset SIGINT (" + e + "); Ctrl-C may be ignored");
        }
    }
}
