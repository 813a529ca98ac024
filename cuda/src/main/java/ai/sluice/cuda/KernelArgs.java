package ai.sluice.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A kernel's arguments as {@code cuLaunchKernel} takes them: an array of pointers, one per
 * parameter, each to a copy of the value. Values are typed by their Java class, matching the
 * kernel's C parameter: {@link DeviceBuffer} (a pointer), {@link Long} (a pointer or {@code long long}),
 * {@link Integer} ({@code int}), {@link Float} ({@code float}).
 */
public final class KernelArgs {
    private KernelArgs() {
    }

    /** The pointer array for {@code values}, allocated in {@code arena}. */
    public static MemorySegment pack(Arena arena, Object... values) {
        MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(1, values.length));
        for (int i = 0; i < values.length; i++) {
            MemorySegment slot = arena.allocate(8, 8);
            switch (values[i]) {
                case DeviceBuffer b -> slot.set(ValueLayout.JAVA_LONG, 0, b.address());
                case Long l -> slot.set(ValueLayout.JAVA_LONG, 0, l);
                case Integer n -> slot.set(ValueLayout.JAVA_INT, 0, n);
                case Float f -> slot.set(ValueLayout.JAVA_FLOAT, 0, f);
                case null -> throw new IllegalArgumentException("kernel argument " + i + " is null");
                default -> throw new IllegalArgumentException("kernel argument " + i + " is a "
                        + values[i].getClass().getSimpleName() + "; kernels take DeviceBuffer, Long, Integer or Float");
            }
            pointers.setAtIndex(ValueLayout.ADDRESS, i, slot);
        }
        return pointers;
    }
}
