package ai.sluice.engine;

import java.time.Duration;

/** The engine thread: scheduling, KV blocks, sampling, callbacks. (Internals follow in the next commit.) */
final class EngineLoop {

    static EngineLoop start(ModelRunner runner, EngineConfig config) {
        throw new UnsupportedOperationException("the engine internals are not implemented yet");
    }

    RequestHandle submit(GenerationRequest request, GenerationListener listener) {
        throw new UnsupportedOperationException();
    }

    EngineMetrics metrics() {
        throw new UnsupportedOperationException();
    }

    EngineConfig config() {
        throw new UnsupportedOperationException();
    }

    KvCacheLayout layout() {
        throw new UnsupportedOperationException();
    }

    int vocabSize() {
        throw new UnsupportedOperationException();
    }

    long lastHeartbeatNanos() {
        throw new UnsupportedOperationException();
    }

    boolean isAlive() {
        return false;
    }

    boolean awaitIdle(Duration timeout) {
        throw new UnsupportedOperationException();
    }

    Engine.Freeze freeze() {
        throw new UnsupportedOperationException();
    }

    void close() {
    }
}
