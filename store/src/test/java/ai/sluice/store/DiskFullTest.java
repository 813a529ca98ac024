package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull into a disk that fills up midway, on a real small file system: a 4 MiB tmpfs mounted in a
 * mount namespace of the child process's own ({@code unshare}), so nothing outlives the test.
 * Mounting needs root (CI runs as root) or unprivileged user namespaces; without either the test
 * is skipped and says why.
 */
class DiskFullTest {
    private static final int KiB = 1 << 10;

    @TempDir
    Path tmp;

    @Test
    void aPullIntoAFullDiskFailsClearlyLeavesNoPartialAndKeepsTheCacheWhole() throws Exception {
        Path cache = tmp.resolve("small-disk");
        java.nio.file.Files.createDirectories(cache);
        List<String> unshare = mounter(cache);
        Assumptions.assumeTrue(unshare != null,
                "cannot mount a small tmpfs here: 'unshare --mount' (root) and 'unshare --user --map-root-user --mount' both failed");
        byte[] a = Models.synthetic(256 * KiB, 70);
        byte[] b = Models.synthetic(1024 * KiB, 71);
        try (S3Server server = S3Server.start().bucket("models")) {
            server.put("models", "a.gguf", a, Map.of("sha256", HubServer.sha256(a)));
            server.put("models", "b.gguf", b, Map.of("sha256", HubServer.sha256(b)));
            List<String> cmd = new ArrayList<>(unshare);
            cmd.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=4m tmpfs \"$0\" && exec \"$@\"", cache.toString()));
            cmd.addAll(javaCommand(DiskFullProcess.class.getName()));
            cmd.addAll(List.of(cache.toString(), server.source("models", "a.gguf").toString(), server.source("models", "b.gguf").toString()));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the child did not finish");
            }
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).containsExactly(
                    "error disk full while pulling b into " + cache + " (partial download deleted): free 1.0 MiB or point --cache-dir elsewhere",
                    "partial=[]",
                    "models=[a.gguf, a.json]",
                    "resolved a entry=" + HubServer.sha256(a) + " file=" + HubServer.sha256(a),
                    "pulled b downloaded=true file=" + HubServer.sha256(b));
        }
    }

    /** The unshare command that can mount a tmpfs here, or null. */
    private static List<String> mounter(Path dir) throws InterruptedException {
        for (List<String> unshare : List.of(List.of("unshare", "--mount", "--propagation", "private"),
                List.of("unshare", "--user", "--map-root-user", "--mount"))) {
            List<String> probe = new ArrayList<>(unshare);
            probe.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\"", dir.toString()));
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return unshare;
                }
            } catch (IOException e) {
                // no unshare on this machine
            }
        }
        return null;
    }

    private static List<String> javaCommand(String mainClass) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "-Xmx128m", "-XX:TieredStopAtLevel=1"));
        for (String prop : new String[] {"aws.accessKeyId", "aws.secretAccessKey", "aws.region"}) {
            cmd.add("-D" + prop + "=" + System.getProperty(prop));
        }
        cmd.add(mainClass);
        return cmd;
    }
}
