package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG line chart (axes, ticks, legend, one polyline per series), so reports need no JavaScript or
 * stylesheet from anywhere.
 */
public final class SvgChart {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 36;
    private static final int BOTTOM = 48;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

    /** One line; {@code markers} draws a dot at every point (for sparse data such as sweep steps). */
    public record Series(String name, double[] x, double[] y, boolean markers) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private Double horizontalLine;
    private String horizontalLabel;
    private Double verticalLine;
    private String verticalLabel;

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public SvgChart add(Series s) {
        series.add(s);
        return this;
    }

    /** A dashed reference line (an SLO, say) across the plot at {@code y}. */
    public SvgChart threshold(double y, String label) {
        this.horizontalLine = y;
        this.horizontalLabel = label;
        return this;
    }

    /** A dashed reference line (an SLO on a CDF, say) down the plot at {@code x}. */
    public SvgChart xThreshold(double x, String label) {
        this.verticalLine = x;
        this.verticalLabel = label;
        return this;
    }

    /** The empirical CDF of {@code values}: sorted values against the fraction of values at or below each. */
    public static Series cdf(String name, double[] values) {
        double[] x = values.clone();
        java.util.Arrays.sort(x);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (i + 1.0) / x.length;
        }
        return new Series(name, x, y, false);
    }

    public String render() {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = 0;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    minX = Math.min(minX, s.x[i]);
                    maxX = Math.max(maxX, s.x[i]);
                    minY = Math.min(minY, s.y[i]);
                    maxY = Math.max(maxY, s.y[i]);
                }
            }
        }
        if (horizontalLine != null) {
            maxY = Math.max(maxY, horizontalLine);
        }
        if (verticalLine != null && minX <= maxX) {
            minX = Math.min(minX, verticalLine);
            maxX = Math.max(maxX, verticalLine);
        }
        StringBuilder svg = new StringBuilder();
        svg.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(fmt("<title>%s</title>\n", escape(title)));
        svg.append(fmt("<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", LEFT,
                escape(title)));
        if (minX > maxX) {
            svg.append(fmt("<text x=\"%d\" y=\"%d\">no data</text>\n</svg>\n", LEFT, HEIGHT / 2));
            return svg.toString();
        }
        double[] xt = ticks(minX, maxX);
        double[] yt = ticks(minY, maxY);
        double x0 = xt[0];
        double x1 = xt[xt.length - 1];
        double y0 = yt[0];
        double y1 = yt[yt.length - 1];
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        Scale sx = v -> LEFT + (v - x0) / (x1 - x0) * plotW;
        Scale sy = v -> TOP + plotH - (v - y0) / (y1 - y0) * plotH;

        svg.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                LEFT, TOP, plotW, plotH));
        for (double t : xt) {
            double px = sx.at(t);
            svg.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", px, TOP, px, TOP + plotH));
            svg.append(fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px, TOP + plotH + 15,
                    label(t)));
        }
        for (double t : yt) {
            double py = sy.at(t);
            svg.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, py, LEFT + plotW, py));
            svg.append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, py + 4, label(t)));
        }
        svg.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", LEFT + plotW / 2,
                HEIGHT - 10, escape(xLabel)));
        svg.append(fmt("<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>\n",
                TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        if (horizontalLine != null) {
            double py = sy.at(horizontalLine);
            svg.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>",
                    LEFT, py, LEFT + plotW, py));
            svg.append(fmt("<text x=\"%d\" y=\"%.1f\" fill=\"#555\">%s</text>\n", LEFT + 4, py - 4,
                    escape(horizontalLabel)));
        }
        if (verticalLine != null) {
            double px = sx.at(verticalLine);
            svg.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>",
                    px, TOP, px, TOP + plotH));
            svg.append(fmt("<text x=\"%.1f\" y=\"%d\" fill=\"#555\">%s</text>\n", px + 4, TOP + 12,
                    escape(verticalLabel)));
        }
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    points.append(fmt("%.1f,%.1f ", sx.at(s.x[i]), sy.at(s.y[i])));
                }
            }
            svg.append(fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>\n", color,
                    points.toString().strip()));
            if (s.markers) {
                for (int i = 0; i < s.x.length; i++) {
                    if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                        svg.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", sx.at(s.x[i]),
                                sy.at(s.y[i]), color));
                    }
                }
                svg.append('\n');
            }
            int ly = TOP + 10 + k * 16;
            svg.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>",
                    LEFT + plotW + 10, ly, LEFT + plotW + 28, ly, color));
            svg.append(fmt("<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + plotW + 32, ly + 4, escape(s.name)));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    @FunctionalInterface
    private interface Scale {
        double at(double v);
    }

    /** Round tick values (steps of 1, 2 or 5 times a power of ten) covering [lo, hi]; about five of them. */
    static double[] ticks(double lo, double hi) {
        if (hi <= lo) {
            hi = lo == 0 ? 1 : lo + Math.abs(lo) * 0.1;
        }
        double raw = (hi - lo) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude <= 1 ? 1 : raw / magnitude <= 2 ? 2 : raw / magnitude <= 5 ? 5 : 10);
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        return out;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return fmt("%.3g", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
