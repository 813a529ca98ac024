package ai.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command: one subcommand per task; see the README for each. */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        version = "sluice 0.1.0",
        description = "LLM serving on the JVM.",
        subcommands = {
                CommandLine.HelpCommand.class,
                GenerateCommand.class,
                TokenizeCommand.class,
                QuantizeCommand.class,
                EvalCommand.class,
                BenchEngineCommand.class,
                PlanCommand.class,
                BenchCommand.class,
                InspectCommand.class,
                SynthCommand.class,
                BenchBatchCommand.class,
                BenchEmbedCommand.class,
                ServeCommand.class,
                GatewayCommand.class,
                PullCommand.class,
                PushCommand.class,
                ModelsCommand.class,
        })
public final class SluiceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the full stack trace of an error.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
