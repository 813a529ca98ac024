package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class KernelArgsTest {

    @Test
    void eachParameterIsAPointerToItsValue() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = KernelArgs.pack(a, new DeviceBuffer(0x7f00_0000_1000L, 64), 7L, -3, 1.5f);
            MemorySegment[] slots = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                slots[i] = params.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
            }
            assertThat(slots[0].get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x7f00_0000_1000L);
            assertThat(slots[1].get(ValueLayout.JAVA_LONG, 0)).isEqualTo(7L);
            assertThat(slots[2].get(ValueLayout.JAVA_INT, 0)).isEqualTo(-3);
            assertThat(slots[3].get(ValueLayout.JAVA_FLOAT, 0)).isEqualTo(1.5f);
        }
    }

    @Test
    void refusesTypesNoKernelTakes() {
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> KernelArgs.pack(a, 1, 2.0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("kernel argument 1 is a Double");
            assertThatThrownBy(() -> KernelArgs.pack(a, (Object) null))
                    .hasMessageContaining("kernel argument 0 is null");
        }
    }
}
