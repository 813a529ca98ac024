package ai.sluice.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server laid out like the Hugging Face hub: {@code /{org}/{repo}/resolve/main/{file}}
 * answers 302 to {@code /cdn/...} with {@code X-Linked-Etag} (the sha256) and {@code X-Linked-Size},
 * as the hub does for LFS files; the CDN path serves the bytes with ranges. Counts body bytes sent.
 */
public final class HubServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    public final AtomicLong bytesSent = new AtomicLong();
    public volatile long delayPerRequestMs;

    public HubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void add(String repoPath, byte[] bytes) {
        files.put(repoPath, bytes);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (path.startsWith("/cdn/")) {
                serve(ex, files.get(path.substring(5)), head);
                return;
            }
            // /{org}/{repo}/resolve/{rev}/{file}
            String[] p = path.substring(1).split("/", 5);
            byte[] body = p.length == 5 && p[2].equals("resolve") ? files.get(p[0] + "/" + p[1] + "/" + p[4]) : null;
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(body) + "\"");
            ex.getResponseHeaders().add("X-Linked-Size", Long.toString(body.length));
            ex.getResponseHeaders().add("Location", "/cdn/" + p[0] + "/" + p[1] + "/" + p[4]);
            ex.sendResponseHeaders(302, -1);
        }
    }

    private void serve(HttpExchange ex, byte[] body, boolean head) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        if (delayPerRequestMs > 0 && !head) {
            try {
                Thread.sleep(delayPerRequestMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        long from = 0;
        long to = body.length - 1;
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null && range.startsWith("bytes=")) {
            String[] ab = range.substring(6).split("-");
            from = Long.parseLong(ab[0]);
            to = ab.length > 1 && !ab[1].isEmpty() ? Math.min(Long.parseLong(ab[1]), body.length - 1) : body.length - 1;
            status = 206;
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + body.length);
        }
        long len = to - from + 1;
        if (head) {
            ex.getResponseHeaders().add("Content-Length", Long.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(status, len);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body, (int) from, (int) len);
            bytesSent.addAndGet(len);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
