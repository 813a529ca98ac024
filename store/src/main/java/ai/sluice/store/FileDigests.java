package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * What a push learns in its one read of the file: the sha256 of the whole (for the manifest) and
 * the MD5 of each upload part (sent as each part's Content-MD5, so the server refuses a part that
 * changed on the way or in the file since), from which S3's ETag for the object follows.
 *
 * @param partSize bytes per upload part; one part (a single PUT) when the file is no bigger
 * @param partMd5s one MD5 per part, in order
 */
record FileDigests(String sha256, long size, long partSize, List<byte[]> partMd5s) {
    FileDigests {
        partMd5s = List.copyOf(partMd5s);
    }

    static FileDigests of(Path file, long partSize) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            List<byte[]> parts = new ArrayList<>();
            byte[] buf = new byte[1 << 20];
            long size = 0;
            long inPart = 0;
            int n;
            while ((n = in.read(buf, 0, (int) Math.min(buf.length, partSize - inPart))) > 0) {
                sha.update(buf, 0, n);
                md5.update(buf, 0, n);
                size += n;
                inPart += n;
                if (inPart == partSize) {
                    parts.add(md5.digest());
                    inPart = 0;
                }
            }
            if (inPart > 0 || parts.isEmpty()) {
                parts.add(md5.digest());
            }
            return new FileDigests(HexFormat.of().formatHex(sha.digest()), size, partSize, parts);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    int parts() {
        return partMd5s.size();
    }

    long partStart(int part) {
        return part * partSize;
    }

    long partEnd(int part) {
        return Math.min(size, (part + 1) * partSize);
    }

    String md5Base64(int part) {
        return Base64.getEncoder().encodeToString(partMd5s.get(part));
    }

    /**
     * The ETag S3 gives the object: the MD5 of the bytes for a single PUT; for a multipart upload
     * the MD5 of the parts' MD5s, then "-" and the number of parts.
     */
    String expectedEtag() {
        if (parts() == 1) {
            return HexFormat.of().formatHex(partMd5s.getFirst());
        }
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            partMd5s.forEach(md5::update);
            return HexFormat.of().formatHex(md5.digest()) + "-" + parts();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
