package ai.sluice.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The built-in hardware list ({@code hardware.yaml}), optionally extended or overridden by a user file. */
public final class HardwareCatalog {
    private final List<HardwareSpec> entries;

    private HardwareCatalog(List<HardwareSpec> entries) {
        this.entries = List.copyOf(entries);
    }

    record Document(List<HardwareSpec> hardware) {
    }

    public static HardwareCatalog builtIn() {
        return new HardwareCatalog(Yaml.resource("hardware.yaml", Document.class).hardware());
    }

    /** This catalog plus the entries of {@code file}; an entry named like an existing one replaces it. */
    public HardwareCatalog withFile(Path file) {
        Document doc = Yaml.file(file, Document.class);
        if (doc == null || doc.hardware() == null || doc.hardware().isEmpty()) {
            throw new PlanException(file + ": expected a top-level 'hardware:' list with at least one entry");
        }
        List<HardwareSpec> merged = new ArrayList<>(entries);
        for (HardwareSpec added : doc.hardware()) {
            merged.removeIf(existing -> existing.name().equalsIgnoreCase(added.name()));
            merged.add(added);
        }
        return new HardwareCatalog(merged);
    }

    public List<HardwareSpec> entries() {
        return entries;
    }

    public HardwareSpec find(String name) {
        for (HardwareSpec h : entries) {
            if (h.answersTo(name.trim())) {
                return h;
            }
        }
        throw new PlanException("unknown hardware '" + name + "'; known: "
                + entries.stream().map(HardwareSpec::name).collect(Collectors.joining(", "))
                + " (add your own with HardwareCatalog.withFile)");
    }
}
