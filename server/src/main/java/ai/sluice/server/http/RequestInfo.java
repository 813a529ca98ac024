package ai.sluice.server.http;

/** What a handler learned about its request, for the access log (one per request, one thread). */
final class RequestInfo {
    String id;
    String model;
    int promptTokens;
    int outputTokens;
    long ttftNanos = -1;
    String finishReason;
    String error;
    int status;
}
