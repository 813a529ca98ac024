package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void everySourceNamesItsModelAfterItsFile(@TempDir Path tmp) throws Exception {
        assertThat(Source.parse("/m/Tiny.GGUF").defaultName()).isEqualTo("Tiny");
        assertThat(Source.parse("https://h/x/..llama%203.gguf?x=1").defaultName()).isEqualTo("llama_3");
        assertThat(Source.parse("https://h").defaultName()).isEqualTo("model");
        assertThat(Source.parse("s3://b/.gguf").defaultName()).isEqualTo("model");
        assertThat(Source.parse("hf://o/r/" + "a".repeat(250) + ".gguf").defaultName()).isEqualTo("a".repeat(200));
        assertThat(Source.parse("hf://o/r/" + "b".repeat(200) + ".gguf").defaultName()).isEqualTo("b".repeat(200));
        assertThat(Source.parse("cached-one").defaultName()).isEqualTo("cached-one");
        assertThat(Source.parse("cached-one").toString()).isEqualTo("cached-one");
        // a bare word that is an existing file is that file, not a cache name
        Path here = Files.writeString(tmp.resolve("word"), "x");
        assertThat(Source.parse(here.toString())).isEqualTo(new Source.Local(here));
        assertThat(Source.parse("file:///m/x.gguf")).isEqualTo(new Source.Local(Path.of("/m/x.gguf")));
        assertThat(Source.parse("HTTP://h/m.gguf")).isInstanceOf(Source.Http.class);
        assertThat(Source.parse("/m/x.gguf").toString()).isEqualTo("/m/x.gguf");
        assertThat(Source.parse("https://h/m.gguf").toString()).isEqualTo("https://h/m.gguf");
    }

    @Test
    void s3SourcesSayWhereTheyLive() {
        Source.S3 plain = (Source.S3) Source.parse("s3://b/dir/k.gguf");
        assertThat(plain.where()).isEqualTo("the default S3 endpoint");
        assertThat(plain).hasToString("s3://b/dir/k.gguf");
        assertThat(Source.parse("s3://b/k.gguf?region=eu-west-1")).hasToString("s3://b/k.gguf?region=eu-west-1");
        Source.S3 local = (Source.S3) Source.parse("s3://b/k.gguf?endpoint=http%3A%2F%2Fh%3A9000");
        assertThat(local.endpoint()).isEqualTo(URI.create("http://h:9000"));
        assertThat(local.where()).isEqualTo("http://h:9000");
        assertThat(local).hasToString("s3://b/k.gguf?endpoint=http://h:9000");
        assertThatThrownBy(() -> new Source.S3("", "k", null, null)).hasMessage("an S3 source needs a bucket and a key: s3://BUCKET/KEY, got s3:///k");
        assertThatThrownBy(() -> new Source.S3("b", "", null, null)).hasMessage("an S3 source needs a bucket and a key: s3://BUCKET/KEY, got s3://b/");
        assertThatThrownBy(() -> Source.parse("s3://b/")).hasMessage("'s3://b/' names no object: write s3://BUCKET/KEY");
        assertThatThrownBy(() -> Source.parse("s3:///k")).hasMessage("'s3:///k' names no object: write s3://BUCKET/KEY");
        assertThatThrownBy(() -> Source.parse("s3://b/k?region")).hasMessage("'region=' needs a value in 's3://b/k?region'");
        assertThatThrownBy(() -> Source.parse("s3://b/k?endpoint=")).hasMessage("'endpoint=' needs a value in 's3://b/k?endpoint='");
    }

    @Test
    void hubSourcesResolveUnderTheHubsBase() {
        Source.HuggingFace hf = (Source.HuggingFace) Source.parse("hf://o/r@v1/sub/f.gguf");
        assertThat(hf.resolveUri(URI.create("https://hub.example//"))).isEqualTo(URI.create("https://hub.example/o/r/resolve/v1/sub/f.gguf"));
        assertThat(Source.parse("hf://o/r/f.gguf")).hasToString("hf://o/r/f.gguf");
        for (String bad : new String[] {"hf://o//f.gguf", "hf:///r/f.gguf", "hf://o/r/"}) {
            assertThatThrownBy(() -> Source.parse(bad)).hasMessage("'" + bad + "' is not a Hugging Face file: write hf://ORG/REPO/FILE.gguf");
        }
    }

    @Test
    void emptyAndMalformedSourcesAreOneLine() {
        for (String empty : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> Source.parse(empty)).hasMessageStartingWith("empty model source: give a path, s3://BUCKET/KEY");
        }
        assertThatThrownBy(() -> Source.parse("https://h/a b.gguf")).hasMessageStartingWith("'https://h/a b.gguf' is not a valid URL: ");
    }

    @Test
    void sizesInEveryUnit() {
        assertThat(Sizes.parse("100", "x")).isEqualTo(100);
        assertThat(Sizes.parse(" 2k ", "x")).isEqualTo(2048);
        assertThat(Sizes.parse("3MB", "x")).isEqualTo(3L << 20);
        assertThat(Sizes.parse("1t", "x")).isEqualTo(1L << 40);
        assertThat(Sizes.parse("2G", "x")).isEqualTo(2L << 30);
        assertThat(Sizes.format(0)).isEqualTo("0 B");
        assertThat(Sizes.format(1023)).isEqualTo("1023 B");
        assertThat(Sizes.format(1024)).isEqualTo("1.0 KiB");
        assertThat(Sizes.format(5L << 20)).isEqualTo("5.0 MiB");
        assertThat(Sizes.format(3L << 40)).isEqualTo("3.0 TiB");
        assertThat(Sizes.format(2048L << 40)).isEqualTo("2048.0 TiB");
        assertThatThrownBy(() -> Sizes.parse("12X", "--size")).hasMessage("--size must be a size such as 500M or 20G, got '12X'");
    }
}
