package ai.sluice.server;

import ai.sluice.server.http.AccessLog;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * The fixture of the client tests: a real server on the real stories260K engine ({@link TestServers}),
 * started once per test class, and the clients they talk to it through (the official OpenAI Java SDK,
 * {@link HttpTestClient} for what the SDK cannot send). Register it as
 * {@code @RegisterExtension static final ClientTestServer SERVER = new ClientTestServer();}.
 */
public final class ClientTestServer implements BeforeAllCallback, AfterAllCallback {
    private final String apiKey;
    private StoriesEngine servedModel;
    private SluiceServer server;
    private OpenAIClient openAi;
    private HttpTestClient http;

    /** A server that asks for no API key. */
    public ClientTestServer() {
        this(null);
    }

    private ClientTestServer(String apiKey) {
        this.apiKey = apiKey;
    }

    /** A server that accepts only {@code apiKey}; its clients send it. */
    public static ClientTestServer withApiKey(String apiKey) {
        return new ClientTestServer(apiKey);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        servedModel = TestServers.servedModel();
        ServerConfig config = TestServers.config(servedModel);
        if (apiKey != null) {
            config = config.withApiKeys(List.of(apiKey));
        }
        server = SluiceServer.start(config, servedModel, new AccessLog(line -> { }));
        openAi = OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(apiKey == null ? "none" : apiKey)
                .maxRetries(0).build();
        http = new HttpTestClient(server.port(), apiKey);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (openAi != null) {
            openAi.close();
        }
        if (server != null) {
            server.stop();
        }
        if (servedModel != null) {
            servedModel.close();
        }
    }

    /** The OpenAI base URL, {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    /** The engine behind the server (its tokenizer, for counting tokens the way the server does). */
    public StoriesEngine servedModel() {
        return servedModel;
    }

    /** The official OpenAI Java client, with retries off (a test must see the first answer). */
    public OpenAIClient openAi() {
        return openAi;
    }

    public HttpTestClient http() {
        return http;
    }
}
