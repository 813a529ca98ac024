package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A model file on this machine, read like any other source (used by {@code pull} of a path). */
final class FileRemote implements Remote {
    private final Path path;

    FileRemote(Path path) {
        this.path = path;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public Probe probe() throws SourceFailure {
        try {
            return new Probe(Files.size(path), null, null, true, Long.toString(Files.getLastModifiedTime(path).toMillis()));
        } catch (NoSuchFileException e) {
            throw new SourceFailure("no such file: " + path, true, e);
        } catch (IOException e) {
            throw new SourceFailure("cannot read " + path + ": " + e.getMessage(), true, e);
        }
    }

    @Override
    public InputStream open(long from, long to) throws SourceFailure {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            ch.position(from);
            return new BoundedStream(Channels.newInputStream(ch), to - from);
        } catch (IOException e) {
            throw new SourceFailure("cannot read " + path + ": " + e.getMessage(), false, e);
        }
    }

    /** Stops after {@code limit} bytes. */
    private static final class BoundedStream extends java.io.FilterInputStream {
        private long left;

        BoundedStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
