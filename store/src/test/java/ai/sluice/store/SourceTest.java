package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SourceTest {
    @Test
    void readsEveryKindOfSource() {
        assertThat(Source.parse("s3://models/llama/q8.gguf?endpoint=http://127.0.0.1:9000&region=eu-west-1"))
                .isEqualTo(new Source.S3("models", "llama/q8.gguf", URI.create("http://127.0.0.1:9000"), "eu-west-1"));
        assertThat(Source.parse("https://example.com/m/tiny.gguf")).isEqualTo(new Source.Http(URI.create("https://example.com/m/tiny.gguf")));
        assertThat(Source.parse("hf://TheBloke/repo-GGUF/sub/tiny.Q4_0.gguf"))
                .isEqualTo(new Source.HuggingFace("TheBloke", "repo-GGUF", "main", "sub/tiny.Q4_0.gguf"));
        assertThat(Source.parse("hf://org/repo@v2/f.gguf")).isEqualTo(new Source.HuggingFace("org", "repo", "v2", "f.gguf"));
        assertThat(Source.parse("./models/tiny.gguf")).isEqualTo(new Source.Local(Path.of("./models/tiny.gguf")));
        assertThat(Source.parse("tiny.gguf")).isInstanceOf(Source.Local.class);
        assertThat(Source.parse("llama-1b-q8")).isEqualTo(new Source.Cached("llama-1b-q8"));
    }

    @Test
    void namesComeFromTheFile() {
        assertThat(Source.parse("s3://b/dir/Llama-3.2-1B.Q8_0.gguf").defaultName()).isEqualTo("Llama-3.2-1B.Q8_0");
        assertThat(Source.parse("hf://o/r/x/y z.gguf").defaultName()).isEqualTo("y_z");
    }

    @Test
    void rendersBackWhatItRead() {
        String s = "s3://models/k.gguf?endpoint=http://127.0.0.1:9000&region=us-east-1";
        assertThat(Source.parse(s).toString()).isEqualTo(s);
        assertThat(Source.parse("hf://o/r@dev/f.gguf").toString()).isEqualTo("hf://o/r@dev/f.gguf");
    }

    @Test
    void badSourcesSayWhatToWrite() {
        assertThatThrownBy(() -> Source.parse("ftp://host/m.gguf")).isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown scheme 'ftp'").hasMessageContaining("s3://BUCKET/KEY");
        assertThatThrownBy(() -> Source.parse("s3://bucket-only")).hasMessageContaining("s3://BUCKET/KEY");
        assertThatThrownBy(() -> Source.parse("hf://org/repo")).hasMessageContaining("hf://ORG/REPO/FILE.gguf");
        assertThatThrownBy(() -> Source.parse("s3://b/k?endpont=x")).hasMessageContaining("unknown parameter 'endpont'");
    }

    @Test
    void sizesReadAndPrint() {
        assertThat(Sizes.parse("512M", "x")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("1.5GiB", "x")).isEqualTo(3L << 29);
        assertThat(Sizes.format(3L << 29)).isEqualTo("1.5 GiB");
        assertThatThrownBy(() -> Sizes.parse("lots", "--cache-capacity")).hasMessageContaining("--cache-capacity must be a size");
    }
}
