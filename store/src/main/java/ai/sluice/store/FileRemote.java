package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

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
            return FileRange.open(path, from, to);
        } catch (IOException e) {
            throw new SourceFailure("cannot read " + path + ": " + e.getMessage(), false, e);
        }
    }
}
