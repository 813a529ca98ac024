package ai.sluice.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Which parts of a partial download are complete, so an interrupted pull resumes instead of starting
 * over. One header line names the object (size, part size, sha256, version); each later line is the
 * index of a part written in full. A header that does not match the object being pulled now
 * (replaced upstream, other part size) means starting over.
 */
final class Journal implements AutoCloseable {
    private final FileChannel out;
    private final BitSet done;

    private Journal(FileChannel out, BitSet done) {
        this.out = out;
        this.done = done;
    }

    static Path pathFor(Path partial) {
        return partial.resolveSibling(partial.getFileName() + ".journal");
    }

    static String header(long size, long partSize, String sha256, String version) {
        return "sluice-journal v1 " + size + " " + partSize + " " + Objects.requireNonNullElse(sha256, "-")
                + " " + (version == null ? "-" : version.replaceAll("\\s", "_"));
    }

    /** Opens the journal of {@code partial}, keeping its parts when {@code header} matches; else starts it anew. */
    static Journal open(Path partial, String header) throws IOException {
        Path path = pathFor(partial);
        BitSet done = new BitSet();
        boolean keep = false;
        try {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            if (!lines.isEmpty() && lines.getFirst().equals(header) && Files.exists(partial)) {
                keep = true;
                for (String l : lines.subList(1, lines.size())) {
                    if (l.matches("\\d+")) { // a torn last line from a crash is skipped, its part fetched again
                        done.set(Integer.parseInt(l));
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // a fresh pull
        }
        if (!keep) {
            Files.deleteIfExists(partial);
            Files.writeString(path, header + "\n", StandardCharsets.UTF_8);
        }
        return new Journal(FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND), done);
    }

    BitSet done() {
        return (BitSet) done.clone();
    }

    synchronized void completed(int part) throws IOException {
        done.set(part);
        out.write(ByteBuffer.wrap((part + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
