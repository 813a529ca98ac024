package ai.sluice.server.chat;

/** The template could not be rendered for these messages (a template error or its own raise_exception). */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
