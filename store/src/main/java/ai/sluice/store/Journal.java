package ai.sluice.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which parts of a partial download are complete, so an interrupted pull resumes instead of starting
 * over. One header line names the object (size, part size, sha256, version); each later line is the
 * index of a part written in full. A header that does not match the object being pulled now
 * (replaced upstream, other part size) means starting over.
 */
final class Journal implements AutoCloseable {
    private static final Pattern PART = Pattern.compile("\\d{1,9}");

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
            // Latin-1 reads any bytes: a damaged journal fails the header match rather than the pull
            List<String> lines = completeLines(Files.readString(path, StandardCharsets.ISO_8859_1));
            if (!lines.isEmpty() && lines.getFirst().equals(header) && Files.exists(partial)) {
                keep = true;
                for (String l : lines.subList(1, lines.size())) {
                    if (PART.matcher(l).matches()) {
                        done.set(Integer.parseInt(l));
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // a fresh pull
        }
        if (!keep) {
            Files.deleteIfExists(partial);
        }
        // written anew either way: appending after a torn last line would glue the next part's number to it
        StringBuilder text = new StringBuilder(header).append('\n');
        done.stream().forEach(p -> text.append(p).append('\n'));
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Journal(FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND), done);
    }

    /**
     * The lines that end in a newline. A crash can tear the last one, and a torn number is a
     * different number ("4" of "42"): counting it would mark a part done that was never written.
     */
    static List<String> completeLines(String text) {
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
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
