package ai.sluice.gateway;

/** A replica's own view of its load, from its last /metrics scrape (vLLM's metric names). */
public record ReplicaLoad(double waiting, double running, double kvCacheUsage) {
    public static final ReplicaLoad UNKNOWN = new ReplicaLoad(0, 0, 0);

    /**
     * Reads {@code vllm:num_requests_waiting}, {@code vllm:num_requests_running} and {@code vllm:kv_cache_usage_perc}
     * from Prometheus text (summed over label sets); missing metrics read as 0, so a replica that exports none is
     * routed by the gateway's own in-flight count alone.
     */
    public static ReplicaLoad parsePrometheus(String text) {
        double waiting = 0;
        double running = 0;
        double kv = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            if (is(line, "vllm:num_requests_waiting")) {
                waiting += value(line);
            } else if (is(line, "vllm:num_requests_running")) {
                running += value(line);
            } else if (is(line, "vllm:kv_cache_usage_perc")) {
                kv = Math.max(kv, value(line));
            }
        }
        return new ReplicaLoad(waiting, running, kv);
    }

    private static boolean is(String line, String metric) {
        return line.startsWith(metric) && line.length() > metric.length()
                && (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' ');
    }

    /** The sample value: the field after the metric (and its labels); a timestamp may follow. */
    private static double value(String line) {
        int labels = line.lastIndexOf('}');
        String rest = (labels >= 0 ? line.substring(labels + 1) : line.substring(line.indexOf(' ') + 1)).strip();
        int space = rest.indexOf(' ');
        try {
            double v = Double.parseDouble(space < 0 ? rest : rest.substring(0, space));
            return Double.isFinite(v) ? v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
