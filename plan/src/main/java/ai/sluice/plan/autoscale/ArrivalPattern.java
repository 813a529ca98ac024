package ai.sluice.plan.autoscale;

import ai.sluice.plan.PlanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Request arrival rate over time, the load a what-if replays. */
public sealed interface ArrivalPattern {

    /** Requests per second at {@code seconds} from the start. */
    double rateAt(double seconds);

    /** How long the pattern lasts, in seconds. */
    double durationSeconds();

    String describe();

    /**
     * A day: a cosine between {@code troughRps} at 04:00 and {@code peakRps} at 16:00, the shape of a
     * service used in one region's working hours.
     */
    record Diurnal(double troughRps, double peakRps) implements ArrivalPattern {
        public Diurnal {
            if (!(troughRps >= 0 && peakRps >= troughRps && peakRps > 0)) {
                throw new PlanException("diurnal: need 0 <= trough <= peak and peak > 0, got trough " + troughRps + ", peak " + peakRps);
            }
        }

        @Override
        public double rateAt(double seconds) {
            double hours = seconds / 3600.0;
            // 1 at 16:00, -1 at 04:00
            double phase = Math.cos(2 * Math.PI * (hours - 16) / 24);
            return troughRps + (peakRps - troughRps) * (phase + 1) / 2;
        }

        @Override
        public double durationSeconds() {
            return 24 * 3600;
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "diurnal, %.2f req/s at 04:00 to %.2f req/s at 16:00, 24 h", troughRps, peakRps);
        }
    }

    /**
     * Flat {@code baseRps} for two hours with a jump to {@code peakRps} from 00:30 for
     * {@code spikeSeconds}: a launch, a batch job, a retry storm.
     */
    record Spike(double baseRps, double peakRps, double spikeSeconds) implements ArrivalPattern {
        static final double SPIKE_START = 1800;

        public Spike {
            if (!(baseRps >= 0 && peakRps > 0 && spikeSeconds > 0 && spikeSeconds <= 5400)) {
                throw new PlanException("spike: need base >= 0, peak > 0 and a spike of at most 90 minutes");
            }
        }

        @Override
        public double rateAt(double seconds) {
            return seconds >= SPIKE_START && seconds < SPIKE_START + spikeSeconds ? peakRps : baseRps;
        }

        @Override
        public double durationSeconds() {
            return 7200;
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "spike, %.2f req/s with %.2f req/s from 00:30 for %.0f s, 2 h",
                    baseRps, peakRps, spikeSeconds);
        }
    }

    /**
     * Rates from a file: lines {@code SECONDS RATE} (or comma-separated), ascending, each rate holding
     * until the next line; the last line's time is the end. {@code #} starts a comment.
     */
    record Recorded(String name, List<double[]> points) implements ArrivalPattern {
        public Recorded {
            if (points.size() < 2) {
                throw new PlanException(name + ": need at least two lines of 'seconds rate' (the last one marks the end)");
            }
        }

        public static Recorded read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new PlanException("cannot read arrival pattern " + file + ": " + e.getMessage());
            }
            List<double[]> points = new ArrayList<>();
            int lineNo = 0;
            for (String line : lines) {
                lineNo++;
                String text = line.replaceFirst("#.*", "").strip();
                if (text.isEmpty()) {
                    continue;
                }
                String[] parts = text.split("[,\\s]+");
                try {
                    if (parts.length != 2) {
                        throw new NumberFormatException();
                    }
                    double t = Double.parseDouble(parts[0]);
                    double rate = Double.parseDouble(parts[1]);
                    if (!(rate >= 0) || !(t >= 0) || (!points.isEmpty() && t <= points.getLast()[0])) {
                        throw new NumberFormatException();
                    }
                    points.add(new double[] {t, rate});
                } catch (NumberFormatException e) {
                    throw new PlanException(file + ":" + lineNo + ": expected 'SECONDS RATE' with ascending seconds and a rate >= 0, got '" + line + "'");
                }
            }
            return new Recorded(file.getFileName().toString(), List.copyOf(points));
        }

        @Override
        public double rateAt(double seconds) {
            double rate = 0;
            for (double[] p : points) {
                if (p[0] > seconds) {
                    break;
                }
                rate = p[1];
            }
            return rate;
        }

        @Override
        public double durationSeconds() {
            return points.getLast()[0];
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "%s, %d points, %.1f h", name, points.size(), durationSeconds() / 3600);
        }
    }
}
