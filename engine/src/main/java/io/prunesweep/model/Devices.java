package io.prunesweep.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.prunesweep.InputException;

/** Device names on the command line ({@code cpu}, {@code gpu}, {@code gpu:N}) to DJL devices. */
public final class Devices {
    private static volatile Device current = Device.cpu();

    private Devices() {}

    public static Device parse(String name) {
        if (name == null || name.equals("cpu")) {
            return Device.cpu();
        }
        if (name.matches("gpu(:\\d+)?")) {
            int id = name.contains(":") ? Integer.parseInt(name.substring(4)) : 0;
            int gpus = Engine.getInstance().getGpuCount();
            if (id >= gpus) {
                throw new InputException(
                        "device "
                                + name
                                + " is not available: this PyTorch build sees "
                                + gpus
                                + " GPU(s); use --device cpu or a CUDA libtorch (PYTORCH_LIBRARY_PATH)");
            }
            return Device.gpu(id);
        }
        throw new InputException("--device must be cpu, gpu or gpu:N, got '" + name + "'");
    }

    /** The device chosen for this process (by the CLI's --device). */
    public static Device current() {
        return current;
    }

    public static void use(Device d) {
        current = d;
    }
}
