package ai.sluice.cli;

import ai.sluice.plan.CloudBilling;
import ai.sluice.plan.GgufModels;
import ai.sluice.plan.HardwareCatalog;
import ai.sluice.plan.HardwareSpec;
import ai.sluice.plan.KvPrecision;
import ai.sluice.plan.ModelCatalog;
import ai.sluice.plan.ModelSpec;
import ai.sluice.plan.Plan;
import ai.sluice.plan.PlanException;
import ai.sluice.plan.PlanReport;
import ai.sluice.plan.PlanRequest;
import ai.sluice.plan.Planner;
import ai.sluice.plan.Precision;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice plan}: memory, devices, speed and cost of serving a model, before buying anything. */
@Command(name = "plan", mixinStandardHelpOptions = true, subcommands = PlanAutoscaleCommand.class,
        description = "Size a deployment: memory, accelerators, roofline speed, cloud vs on-prem cost.")
public final class PlanCommand implements Runnable {
    /** Without --context: this many tokens, or the model's trained context when shorter. */
    static final int DEFAULT_CONTEXT = 8192;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    ModelSource source;

    static final class ModelSource {
        @Option(names = "--model", paramLabel = "FILE.gguf", description = "A GGUF file (sizes from its metadata).")
        Path file;

        @Option(names = "--catalog-model", paramLabel = "NAME",
                description = "A well-known model, matched loosely, e.g. llama-3.1-70b or 'Llama 3.1 70B'.")
        String catalogName;
    }

    @Option(names = "--precision", paramLabel = "P",
            description = "Weights: fp16, bf16, fp8, int8, q8_0, int4, q4_0, q4_k, or as commonly said: 8bit, "
                    + "4bit, q8 (= q8_0), q4 (= q4_k), awq, gptq (default: bf16, or the file's own).")
    String precision;

    @Option(names = "--context", paramLabel = "TOKENS", converter = TokenCountConverter.class,
            description = "Context per sequence, e.g. 8192 or 8k (k = 1024 tokens, as llama.cpp counts; "
                    + "default: " + DEFAULT_CONTEXT + " or the model's, if shorter).")
    Integer context;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1", description = "Concurrent sequences (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--kv-type", paramLabel = "T", defaultValue = "f16",
            description = "KV cache element type: f16, f32, fp8, q8_0 (default: ${DEFAULT-VALUE}).")
    String kvType;

    @Option(names = "--hardware", paramLabel = "NAME", defaultValue = "h100-80gb",
            description = "Device from the catalog, matched loosely, e.g. h100 (default: ${DEFAULT-VALUE}); "
                    + "see --list.")
    String hardware;

    @Option(names = "--hardware-file", paramLabel = "FILE.yaml",
            description = "Extra or overriding hardware entries (same format as the built-in catalog).")
    Path hardwareFile;

    @Option(names = "--utilization", paramLabel = "F", defaultValue = "0.4",
            description = "Fraction of hours busy, 0..1 (default: ${DEFAULT-VALUE}).")
    double utilization;

    @Option(names = "--amortization-months", paramLabel = "M", defaultValue = "36",
            description = "Months to write a purchase off over (default: ${DEFAULT-VALUE}).")
    int amortizationMonths;

    @Option(names = "--electricity-usd-per-kwh", paramLabel = "USD",
            description = "Price power for on-prem at full TDP (default: power left out).")
    Double electricity;

    @Option(names = "--cloud-busy-hours",
            description = "Cloud rent is billed per busy hour only (--utilization x 730 h a month; the default).")
    boolean cloudBusyHours;

    @Option(names = "--cloud-reserved",
            description = "Cloud rent is paid around the clock (730 h a month) whatever the utilization.")
    boolean cloudReserved;

    @Option(names = "--json", description = "Print the plan as JSON.")
    boolean json;

    @Option(names = "--list",
            description = "List the catalog: hardware with memory, bandwidth and prices; models with their shapes.")
    boolean list;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        ModelCatalog models = ModelCatalog.builtIn();
        HardwareCatalog devices = hardwareFile == null ? HardwareCatalog.builtIn()
                : HardwareCatalog.builtIn().withFile(hardwareFile);
        if (list) {
            out.print(PlanReport.catalog(models, devices));
            out.flush();
            return;
        }
        if (source == null) {
            throw new PlanException("give --model FILE.gguf or --catalog-model NAME (see --list)");
        }
        ModelSpec model = source.file != null ? GgufModels.read(source.file) : models.find(source.catalogName);
        Precision weights = precision != null ? Precision.parse(precision)
                : source.file != null ? null : Precision.BF16;
        int ctx = context != null ? context
                : model.contextLength() > 0 ? Math.min(DEFAULT_CONTEXT, model.contextLength()) : DEFAULT_CONTEXT;
        if (cloudBusyHours && cloudReserved) {
            throw new PlanException("give one of --cloud-busy-hours (the default) or --cloud-reserved");
        }
        PlanRequest request = new PlanRequest(model, weights, KvPrecision.parse(kvType), ctx, concurrency,
                devices.find(hardware), utilization, amortizationMonths, electricity,
                cloudReserved ? CloudBilling.RESERVED : CloudBilling.BUSY_HOURS);
        Plan plan = Planner.plan(request);
        out.print(json ? PlanReport.json(plan) + System.lineSeparator() : PlanReport.table(plan));
        out.flush();
    }
}
