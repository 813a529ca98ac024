package ai.sluice.plan;

import java.util.List;

/** Well-known model shapes ({@code models.yaml}): the ones people ask about before buying hardware. */
public final class ModelCatalog {
    private final List<Entry> entries;

    private ModelCatalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** One catalog row as written in YAML; parameter counts in billions. */
    record Entry(String name, List<String> aliases, int layers, int hidden, int heads, int kvHeads, int headDim,
                 int vocab, double paramsB, Double activeParamsB, Integer experts, Integer expertsActive,
                 int context, String source, String date) {

        boolean answersTo(String query) {
            return name.equalsIgnoreCase(query)
                    || (aliases != null && aliases.stream().anyMatch(a -> a.equalsIgnoreCase(query)));
        }

        List<String> names() {
            List<String> all = new java.util.ArrayList<>();
            all.add(name);
            if (aliases != null) {
                all.addAll(aliases);
            }
            return all;
        }

        ModelSpec toSpec() {
            long total = Math.round(paramsB * 1e9);
            long active = activeParamsB == null ? total : Math.round(activeParamsB * 1e9);
            return new ModelSpec(name, layers, hidden, heads, kvHeads, headDim, headDim, vocab, total, active,
                    experts == null ? 0 : experts, expertsActive == null ? 0 : expertsActive, context, 0,
                    source, date);
        }
    }

    record Document(List<Entry> models) {
    }

    public static ModelCatalog builtIn() {
        return new ModelCatalog(Yaml.resource("models.yaml", Document.class).models());
    }

    public List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    /** The entry answering to {@code name}, matched loosely (see {@link CatalogNames}); a miss says the closest. */
    public ModelSpec find(String name) {
        return CatalogNames.find("model", name, entries, Entry::names, "(or give a GGUF file with GgufModels.read)")
                .toSpec();
    }

    public List<ModelSpec> all() {
        return entries.stream().map(Entry::toSpec).toList();
    }
}
