/**
 * The optional native library ({@code libsluice.so}, C sources in {@code core/src/main/c}): found
 * in the jar, extracted and loaded through FFM ({@link ai.sluice.core.nativelib.NativeLibrary}),
 * with the instruction-set level its kernels run at ({@link ai.sluice.core.nativelib.NativeLevel}).
 * It knows nothing of tensors: the kernels that call into it live with their Java twins in
 * {@code core.tensor}. Where it did not build or does not load, Sluice runs the Java kernels.
 */
package ai.sluice.core.nativelib;
