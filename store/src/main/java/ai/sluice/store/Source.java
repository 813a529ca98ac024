package ai.sluice.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a model comes from: the closed set of places {@code --model SOURCE} may name.
 * {@link #parse} reads the command-line form; {@link #toString} gives it back.
 */
public sealed interface Source {
    /** Names a cached model may have (also the file name under the cache directory). */
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** The name a pull of this source is cached under unless {@code --name} says otherwise. */
    String defaultName();

    /** A GGUF file on this machine; used where it lies, never copied unless pulled explicitly. */
    record Local(Path path) implements Source {
        @Override
        public String defaultName() {
            return nameFromFile(path.getFileName().toString());
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * An object in an S3-compatible store: {@code s3://bucket/key}, optionally
     * {@code ?endpoint=http://host:port&region=r} (otherwise the SDK's own settings: AWS_ENDPOINT_URL,
     * AWS_REGION, profiles).
     */
    record S3(String bucket, String key, URI endpoint, String region) implements Source {
        public S3 {
            if (bucket.isEmpty() || key.isEmpty()) {
                throw new StoreException("an S3 source needs a bucket and a key: s3://BUCKET/KEY, got s3://" + bucket + "/" + key);
            }
        }

        @Override
        public String defaultName() {
            return nameFromFile(key.substring(key.lastIndexOf('/') + 1));
        }

        /** Where the object lives, for messages: the endpoint or "the default S3 endpoint". */
        public String where() {
            return endpoint != null ? endpoint.toString() : "the default S3 endpoint";
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("s3://").append(bucket).append('/').append(key);
            String sep = "?";
            if (endpoint != null) {
                s.append(sep).append("endpoint=").append(endpoint);
                sep = "&";
            }
            if (region != null) {
                s.append(sep).append("region=").append(region);
            }
            return s.toString();
        }
    }

    /** A plain HTTP(S) URL; ranged GETs when the server offers them. */
    record Http(URI uri) implements Source {
        @Override
        public String defaultName() {
            String p = uri.getPath() == null ? "" : uri.getPath();
            return nameFromFile(p.substring(p.lastIndexOf('/') + 1));
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }

    /**
     * A file in a Hugging Face repository: {@code hf://org/repo/path/file.gguf} (revision
     * {@code main}, or {@code hf://org/repo@rev/file.gguf}). Downloaded from
     * {@code BASE/org/repo/resolve/rev/file}, BASE being the configured hub endpoint.
     */
    record HuggingFace(String org, String repo, String revision, String file) implements Source {
        @Override
        public String defaultName() {
            return nameFromFile(file.substring(file.lastIndexOf('/') + 1));
        }

        public URI resolveUri(URI hubBase) {
            String base = hubBase.toString().replaceAll("/+$", "");
            return URI.create(base + "/" + org + "/" + repo + "/resolve/" + revision + "/" + file);
        }

        @Override
        public String toString() {
            return "hf://" + org + "/" + repo + ("main".equals(revision) ? "" : "@" + revision) + "/" + file;
        }
    }

    /** A model already in the local cache, by name. */
    record Cached(String name) implements Source {
        @Override
        public String defaultName() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Reads a SOURCE as written on the command line. A bare word that is not an existing file is a
     * cache name; anything with a path separator or a .gguf ending is a path.
     */
    static Source parse(String text) {
        if (text == null || text.isBlank()) {
            throw new StoreException("empty model source: give a path, s3://BUCKET/KEY, http(s)://URL, hf://ORG/REPO/FILE.gguf or a cached name");
        }
        int colon = text.indexOf("://");
        if (colon > 0) {
            String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
            String rest = text.substring(colon + 3);
            return switch (scheme) {
                case "s3" -> parseS3(rest, text);
                case "http", "https" -> new Http(uri(text));
                case "hf" -> parseHf(rest, text);
                case "file" -> new Local(Path.of(uri(text)));
                default -> throw new StoreException("unknown scheme '" + scheme + "' in '" + text
                        + "': use a path, s3://BUCKET/KEY, http(s)://URL, hf://ORG/REPO/FILE.gguf or a cached name");
            };
        }
        Path path = Path.of(text);
        boolean looksLikeName = NAME.matcher(text).matches() && !text.toLowerCase(Locale.ROOT).endsWith(".gguf");
        if (looksLikeName && !path.toFile().exists()) {
            return new Cached(text);
        }
        return new Local(path);
    }

    private static S3 parseS3(String rest, String text) {
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new StoreException("'" + text + "' names no object: write s3://BUCKET/KEY");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                if (!k.equals("endpoint") && !k.equals("region")) {
                    throw new StoreException("unknown parameter '" + k + "' in '" + text + "': only endpoint= and region= are understood");
                }
                if (v.isBlank()) {
                    throw new StoreException("'" + k + "=' needs a value in '" + text + "'");
                }
                params.put(k, v);
            }
        }
        URI endpoint = params.containsKey("endpoint") ? uri(params.get("endpoint")) : null;
        return new S3(rest.substring(0, slash), rest.substring(slash + 1), endpoint, params.get("region"));
    }

    private static HuggingFace parseHf(String rest, String text) {
        String[] parts = rest.split("/", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new StoreException("'" + text + "' is not a Hugging Face file: write hf://ORG/REPO/FILE.gguf");
        }
        String repo = parts[1];
        String revision = "main";
        int at = repo.indexOf('@');
        if (at >= 0) {
            revision = repo.substring(at + 1);
            repo = repo.substring(0, at);
        }
        return new HuggingFace(parts[0], repo, revision, parts[2]);
    }

    private static URI uri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new StoreException("'" + text + "' is not a valid URL: " + e.getMessage());
        }
    }

    private static String nameFromFile(String file) {
        String name = file.replaceFirst("(?i)\\.gguf$", "").replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^[._-]+", "");
        return name.isEmpty() ? "model" : name.length() > 200 ? name.substring(0, 200) : name;
    }
}
