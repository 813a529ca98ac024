package ai.sluice.cli;

import picocli.CommandLine;

/**
 * Entry point. Errors reach the user as one line on stderr (exit 1); {@code --verbose} anywhere on
 * the command line adds the stack trace.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        boolean verbose = false;
        for (String a : args) {
            verbose |= a.equals("--verbose");
        }
        boolean showTrace = verbose;
        // Every command's log records (the kernel choice of generate and bench-engine, a library's warning)
        // one line each, in serve's format; serve and gateway install it again with their --log-format.
        LogLines.install(logFormat());
        CommandLine cli = new CommandLine(new SluiceCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --kv-type f16 as well as F16
        // A mistyped option is one line and a pointer to the help, not the whole usage text.
        cli.setParameterExceptionHandler((ex, args2) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("sluice: error: " + ex.getMessage().lines().findFirst().orElse("bad arguments")
                    + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String msg = SettingFlags.translate(ex.getMessage() != null ? ex.getMessage() : ex.toString());
            commandLine.getErr().println("sluice: error: " + msg.lines().findFirst().orElse(msg));
            if (showTrace) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** $SLUICE_LOG_FORMAT, or text where it is not a format (serve and gateway say so, as one line). */
    private static LogLines.Format logFormat() {
        try {
            return LogLines.fromEnvironment();
        } catch (IllegalArgumentException e) {
            return LogLines.Format.TEXT;
        }
    }
}
