package io.prunesweep.backend;

import ai.djl.engine.Engine;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The few native switches DJL does not expose, reached through JNA: the C environment of this
 * process (oneDNN reads {@code ONEDNN_MAX_CPU_ISA} with {@code getenv} when it first dispatches, so
 * setting it before libtorch runs anything is as good as setting it before the JVM starts), and
 * libtorch's global "use oneDNN" flag ({@code at::globalContext().setUserEnabledMkldnn}, the C++
 * behind {@code torch.backends.mkldnn.enabled}).
 */
final class NativeBackend {
    private NativeBackend() {}

    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        int unsetenv(String name);

        String getenv(String name);
    }

    private static volatile LibC libc;

    private static LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }

    /**
     * The process environment as native code sees it (includes what {@link #setenv} wrote;
     * System.getenv does not).
     */
    static String getenv(String name) {
        return libc().getenv(name);
    }

    static void setenv(String name, String value) {
        int rc = value == null ? libc().unsetenv(name) : libc().setenv(name, value, 1);
        if (rc != 0) {
            throw new BackendException(
                    "cannot set "
                            + name
                            + " in the process environment (errno "
                            + Native.getLastError()
                            + ")");
        }
    }

    /**
     * Lets libtorch use oneDNN for convolutions, or routes them to ATen's own kernels. Loads
     * libtorch.
     */
    static void setOneDnnEnabled(boolean enabled) {
        Pointer ctx = globalContext();
        torchCpu()
                .getFunction("_ZN2at7Context20setUserEnabledMkldnnEb")
                .invokeVoid(new Object[] {ctx, enabled});
        if (oneDnnEnabled() != enabled) {
            throw new BackendException("libtorch did not take mkldnn_enabled=" + enabled);
        }
    }

    static boolean oneDnnEnabled() {
        return (torchCpu()
                                .getFunction("_ZNK2at7Context17userEnabledMkldnnEv")
                                .invokeInt(new Object[] {globalContext()})
                        & 0xff)
                != 0;
    }

    /**
     * {@code self.set_data(newData)} ({@code at::_ops::set_data::call}, the C++ behind Python's
     * {@code p.data = x}): {@code self} keeps its identity (autograd metadata, {@code
     * requires_grad}, every handle to it) but from now on reads and writes {@code newData}'s
     * memory. Both arguments are DJL handles, which point at {@code at::Tensor}s.
     */
    static void setData(long self, long newData) {
        torchCpu()
                .getFunction("_ZN2at4_ops8set_data4callERNS_6TensorERKS2_")
                .invokeVoid(new Object[] {new Pointer(self), new Pointer(newData)});
    }

    /**
     * {@code at::silu(x)} through the dispatcher (so autograd records it like any op), returned as
     * a new heap {@code at::Tensor} the way DJL's JNI returns tensors: allocated with C++ {@code
     * operator new}, so DJL's {@code delete} frees it. The C++ ABI returns the tensor through a
     * hidden pointer to the storage for it.
     */
    static long silu(long x) {
        NativeLibrary lib = torchCpu();
        Pointer out = lib.getFunction("_Znwm").invokePointer(new Object[] {8L});
        lib.getFunction("_ZN2at4_ops4silu4callERKNS_6TensorE")
                .invokeVoid(new Object[] {out, new Pointer(x)});
        return Pointer.nativeValue(out);
    }

    private static Pointer globalContext() {
        return torchCpu().getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
    }

    private static volatile NativeLibrary torchCpu;

    private static NativeLibrary torchCpu() {
        if (torchCpu == null) {
            Engine.getEngine("PyTorch"); // loads libtorch if it is not yet
            Path lib =
                    loadedLibrary("libtorch_cpu.so")
                            .orElseThrow(
                                    () ->
                                            new BackendException(
                                                    "libtorch_cpu.so is not mapped into this process: cannot reach libtorch's oneDNN switch"));
            torchCpu = NativeLibrary.getInstance(lib.toString());
        }
        return torchCpu;
    }

    /** The path of a shared library this process has mapped (from /proc/self/maps). */
    static Optional<Path> loadedLibrary(String fileName) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + fileName)) {
                    return Optional.of(Path.of(line.substring(slash)));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
