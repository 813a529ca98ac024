package ai.sluice.gateway;

import java.io.OutputStream;

/** What was streamed to the client so far: enough to check a resumed stream against it. */
final class StreamState {
    final StringBuilder text = new StringBuilder();
    /** The token ids of what was relayed, when the replica was asked for them (the resume wire). */
    final ResumeWire.TokenIds tokenIds = new ResumeWire.TokenIds();
    /** Whether the replica now streaming was asked for token ids (and its chunks carry them). */
    boolean withTokenIds;
    /** Whether the choice's last chunk (its finish_reason) was relayed, in a stream with token ids. */
    boolean finished;
    int choiceEvents;
    String id;
    boolean done;
    boolean headersSent;
    OutputStream out;
}
