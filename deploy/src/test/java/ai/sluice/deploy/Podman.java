package ai.sluice.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code podman} command with the flags these machines need (runc, cgroupfs, and a
 * containers.conf without default ulimits, which the kernel here refuses; see ../shared/STACK.md).
 */
record Podman(Path executable, Path containersConf) {

    record Result(int exitCode, String output) {
        Result orFail(String what) {
            if (exitCode != 0) {
                throw new AssertionError("podman " + what + " failed with " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** A podman whose containers.conf lives in {@code workDir}. */
    static Podman in(Path executable, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path conf = workDir.resolve("containers.conf");
        Files.writeString(conf, "[containers]\ndefault_ulimits = []\n");
        return new Podman(executable, conf);
    }

    Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--runtime", "runc",
                "--cgroup-manager=cgroupfs"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CONTAINERS_CONF", containersConf.toString());
        Process process = builder.start();
        // podman's output is small; reading it whole before waiting cannot block on a full pipe
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("podman " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), output);
    }
}
