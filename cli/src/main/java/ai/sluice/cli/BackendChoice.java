package ai.sluice.cli;

import java.util.Locale;

/**
 * Which hardware runs the model ({@code --backend}): the CPU, the first CUDA GPU (an error where
 * there is none), or a GPU where one is usable and else the CPU.
 */
enum BackendChoice {
    CPU, CUDA, AUTO;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
