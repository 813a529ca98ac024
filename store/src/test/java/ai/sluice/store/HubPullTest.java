package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hf:// against a local server laid out like the Hugging Face hub. */
class HubPullTest {
    @TempDir
    Path tmp;

    @Test
    void pullsFromTheHubLayoutVerifiedByTheLinkedEtag() throws Exception {
        byte[] model = Models.synthetic((1 << 20) + 99, 40);
        try (HubServer hub = new HubServer()) {
            hub.add("acme/tiny-GGUF/tiny.Q8_0.gguf", model);
            StoreConfig config = new StoreConfig(tmp, 0, 64 << 10, 4, hub.base(), null);
            try (ModelStore store = new ModelStore(config, Progress.silent())) {
                ModelStore.Pulled p = store.pull(Source.parse("hf://acme/tiny-GGUF/tiny.Q8_0.gguf"), List.of(), null, null);
                assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
                assertThat(p.model().name()).isEqualTo("tiny.Q8_0");
                assertThat(p.model().verifiedBy()).isEqualTo("X-Linked-Etag");
                assertThat(p.model().sha256()).isEqualTo(HubServer.sha256(model));
                assertThat(hub.bytesSent.get()).isEqualTo(model.length + 4);
                assertThatThrownBy(() -> store.pull(Source.parse("hf://acme/tiny-GGUF/missing.gguf"), List.of(), null, null))
                        .hasMessageContaining("hf://acme/tiny-GGUF/missing.gguf not found (HTTP 404");
            }
        }
    }

    @Test
    void anExplicitSha256ThatDisagreesIsAMismatch() throws Exception {
        byte[] model = Models.synthetic(200_000, 41);
        try (HubServer hub = new HubServer()) {
            hub.add("acme/r/m.gguf", model);
            StoreConfig config = new StoreConfig(tmp, 0, 64 << 10, 2, hub.base(), null);
            try (ModelStore store = new ModelStore(config, Progress.silent())) {
                assertThatThrownBy(() -> store.pull(Source.parse("hf://acme/r/m.gguf"), List.of(), null, "0".repeat(64)))
                        .hasMessageContaining("sha256 mismatch").hasMessageContaining("(--sha256)");
                assertThat(Models.files(tmp, "partial")).isEmpty();
            }
        }
    }
}
