package ai.sluice.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A model behind an HTTP(S) URL, also the Hugging Face hub's layout. The hub answers a file's URL
 * with a redirect to its CDN whose first response carries {@code X-Linked-Etag} (the file's sha256
 * for LFS files) and {@code X-Linked-Size}, so redirects are followed by hand to keep those headers.
 */
final class HttpRemote implements Remote {
    private static final int MAX_REDIRECTS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final URI uri;
    private final String display;
    private final String bearer;
    private final boolean lookForManifest;
    private volatile URI resolved;

    HttpRemote(HttpClient client, URI uri, String display, String bearer, boolean lookForManifest) {
        this.client = client;
        this.uri = uri;
        this.display = display;
        this.bearer = bearer;
        this.lookForManifest = lookForManifest;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String describe() {
        return display;
    }

    @Override
    public Probe probe() throws SourceFailure {
        URI at = uri;
        String linkedSha = null;
        Long linkedSize = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(request(at).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            Optional<String> etag = r.headers().firstValue("x-linked-etag");
            if (etag.isPresent() && linkedSha == null) {
                linkedSha = sha256OrNull(etag.get());
            }
            Optional<String> size = r.headers().firstValue("x-linked-size");
            if (size.isPresent() && linkedSize == null) {
                linkedSize = Long.parseLong(size.get().trim());
            }
            int status = r.statusCode();
            if (status >= 300 && status < 400 && r.headers().firstValue("location").isPresent()) {
                at = at.resolve(r.headers().firstValue("location").get());
                continue;
            }
            check(status, at);
            resolved = at;
            long length = r.headers().firstValueAsLong("content-length").orElse(-1);
            long total = linkedSize != null ? linkedSize : length;
            if (total < 0) {
                throw new SourceFailure(display + " did not say how big it is (no Content-Length): the server must send one", true, null);
            }
            boolean ranges = r.headers().firstValue("accept-ranges").map(v -> v.toLowerCase(Locale.ROOT).contains("bytes")).orElse(false);
            String sha = linkedSha;
            String shaFrom = sha != null ? "X-Linked-Etag" : null;
            if (sha == null) {
                sha = r.headers().firstValue("x-amz-meta-sha256").map(HttpRemote::sha256OrNull).orElse(null);
                shaFrom = sha != null ? "object metadata" : null;
            }
            if (lookForManifest) {
                String fromManifest = manifestSha();
                if (fromManifest != null) {
                    sha = fromManifest;
                    shaFrom = "manifest";
                }
            }
            return new Probe(total, sha, shaFrom, ranges, r.headers().firstValue("etag").orElse(null));
        }
        throw new SourceFailure(display + " redirects more than " + MAX_REDIRECTS + " times", true, null);
    }

    /** sha256 from {@code URL.manifest.json} when the publisher wrote one ({@code sluice push} does). */
    private String manifestSha() throws SourceFailure {
        URI manifest = URI.create(uri + Manifest.SUFFIX);
        HttpResponse<byte[]> r = send(request(manifest).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(r.body());
            return node.hasNonNull("sha256") ? sha256OrNull(node.get("sha256").asText()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InputStream open(long from, long to) throws SourceFailure {
        URI at = resolved != null ? resolved : uri;
        HttpRequest.Builder b = request(at).GET();
        if (from > 0 || to >= 0) {
            b.header("Range", "bytes=" + from + "-" + (to - 1));
        }
        HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 200 && from > 0) {
            close(r.body());
            throw new SourceFailure(display + " ignored a range request", false, null);
        }
        if (r.statusCode() != 206 && r.statusCode() != 200) {
            close(r.body());
            check(r.statusCode(), at);
        }
        return r.body();
    }

    private HttpRequest.Builder request(URI at) {
        HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(60));
        if (bearer != null && !bearer.isBlank()) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws SourceFailure {
        try {
            return client.send(request, body);
        } catch (ConnectException e) {
            throw new SourceFailure("cannot reach " + request.uri().getHost() + ":" + request.uri().getPort()
                    + " for " + display + " (connection refused)", false, e);
        } catch (HttpTimeoutException e) {
            throw new SourceFailure(display + " timed out", false, e);
        } catch (IOException e) {
            throw new SourceFailure("reading " + display + " failed: " + e, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceFailure("interrupted while reading " + display, true, e);
        }
    }

    private void check(int status, URI at) throws SourceFailure {
        if (status == 404) {
            throw new SourceFailure(display + " not found (HTTP 404 from " + at.getHost() + "): check the URL or repository file name", true, null);
        }
        if (status == 401 || status == 403) {
            throw new SourceFailure(display + " refused (HTTP " + status + "): it needs credentials; for hf:// set HF_TOKEN", true, null);
        }
        if (status >= 400) {
            throw new SourceFailure(display + " answered HTTP " + status, status < 500, null);
        }
    }

    private static String sha256OrNull(String etag) {
        String s = etag.trim().replace("\"", "").replaceFirst("^W/", "").toLowerCase(Locale.ROOT);
        return s.matches("[0-9a-f]{64}") ? s : null;
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the response is abandoned anyway
        }
    }
}
