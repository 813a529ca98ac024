package ai.sluice.gateway;

import java.io.OutputStream;

/** What was streamed to the client so far: enough to check a resumed stream against it. */
final class StreamState {
    final StringBuilder text = new StringBuilder();
    int choiceEvents;
    String id;
    boolean done;
    boolean headersSent;
    OutputStream out;
}
