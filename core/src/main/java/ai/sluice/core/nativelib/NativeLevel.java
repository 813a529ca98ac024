package ai.sluice.core.nativelib;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The instruction-set levels the native library is compiled for, lowest first; {@link #number()}
 * is the C side's numbering ({@code sluice_dispatch.c}). Each level's kernels give the same bits
 * (see {@code sluice_int8.c}); higher levels are faster.
 */
public enum NativeLevel {
    /** AVX2 + FMA + F16C: the baseline of x86-64 machines since 2013-2015. */
    AVX2(1, "avx2"),
    /** AVX2 plus the VEX-encoded VNNI dot products (Alder Lake, Sapphire Rapids, Zen 5). */
    AVX_VNNI(2, "avx-vnni"),
    /** AVX-512 F/BW/VL + VNNI (Ice Lake, Sapphire Rapids, Zen 4). */
    AVX512_VNNI(3, "avx512-vnni");

    /** The environment variable that caps the level, e.g. {@code avx2} to run the baseline on an AVX-512 machine. */
    public static final String CAP_VARIABLE = "SLUICE_NATIVE_LEVEL";

    private final int number;
    private final String label;

    NativeLevel(int number, String label) {
        this.number = number;
        this.label = label;
    }

    public int number() {
        return number;
    }

    /** The name the cap variable takes and the logs show. */
    public String label() {
        return label;
    }

    /** The level numbered {@code number} by the C side, or null for 0 (none) and unknown numbers. */
    static NativeLevel ofNumber(int number) {
        for (NativeLevel l : values()) {
            if (l.number == number) {
                return l;
            }
        }
        return null;
    }

    /** The level named {@code label} (case-insensitive). */
    public static NativeLevel parse(String label) {
        for (NativeLevel l : values()) {
            if (l.label.equalsIgnoreCase(label.strip())) {
                return l;
            }
        }
        throw new IllegalArgumentException(CAP_VARIABLE + "=" + label + ": not a level; one of "
                + Arrays.stream(values()).map(NativeLevel::label).collect(Collectors.joining(", ")));
    }

    /** The cap set by {@link #CAP_VARIABLE}, or the highest level when it is unset or empty. */
    public static NativeLevel capFromEnvironment() {
        String v = System.getenv(CAP_VARIABLE);
        return v == null || v.isBlank() ? values()[values().length - 1] : parse(v.toLowerCase(Locale.ROOT));
    }

    /**
     * Refuses this level on a CPU that runs only up to {@code cpu}: its kernels would die on an illegal
     * instruction, so the refusal is one line instead.
     *
     * @throws NativeUnavailableException when this level is above {@code cpu}
     */
    public void requireRunsOn(NativeLevel cpu) {
        if (compareTo(cpu) > 0) {
            throw new NativeUnavailableException("this CPU runs native level " + cpu.label() + ", not " + label());
        }
    }

    /** The lower of this level and {@code other}. */
    public NativeLevel min(NativeLevel other) {
        return compareTo(other) <= 0 ? this : other;
    }
}
