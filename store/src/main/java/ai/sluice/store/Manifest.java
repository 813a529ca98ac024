package ai.sluice.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * The small JSON file {@code sluice push} writes next to a model object ({@code KEY.manifest.json}):
 * what a pull verifies against, and what the model is without downloading it.
 *
 * @param sha256       lowercase hex of the whole file
 * @param size         bytes
 * @param architecture GGUF {@code general.architecture}, or null
 * @param fileType     GGUF {@code general.file_type} as a name (e.g. Q8_0), or null
 * @param extra        anything else worth keeping (may be empty)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(String sha256, long size, String architecture, String fileType, Map<String, String> extra) {
    public static final String SUFFIX = ".manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public byte[] toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, Manifest.class);
    }
}
